package dev.tollgate.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load generator for a running Tollgate on loopback (bench/decision-load.sh starts one).
 * Open loop at a fixed rate (latency measured from each request's scheduled start, so a stall
 * is not hidden), or closed loop with N workers for the throughput ceiling. Prints p50/p95/p99
 * and achieved decisions per second. Bounded in count and time; stops by itself.
 *
 * <pre>
 * java ... DecisionLoad URL TOKEN BODY_FILE rate RPS SECONDS
 * java ... DecisionLoad URL TOKEN BODY_FILE max WORKERS SECONDS
 * </pre>
 */
public final class DecisionLoad {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String token = args[1];
        byte[] body = Files.readAllBytes(Path.of(args[2]));
        String mode = args[3];
        int amount = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        if (!url.startsWith("http://127.0.0.1") && !url.startsWith("http://localhost")) {
            throw new IllegalArgumentException("loopback only");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(64)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/decisions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        // warm-up
        for (int i = 0; i < 200; i++) {
            check(http.send(request, HttpResponse.BodyHandlers.ofString()));
        }
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long started = System.nanoTime();
        if (mode.equals("rate")) {
            openLoop(http, request, amount, seconds, latencies, errors);
        } else {
            closedLoop(http, request, amount, seconds, latencies, errors);
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s %d for %ds: %d decisions in %.1f s = %.0f decisions/s, errors %d%n", mode, amount,
                seconds, sorted.length, elapsed, sorted.length / elapsed, errors.get());
        System.out.printf(Locale.ROOT, "latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n",
                percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        System.exit(0);
    }

    private static void openLoop(HttpClient http, HttpRequest request, int rps, int seconds, ConcurrentLinkedQueue<Long> latencies,
            AtomicInteger errors) throws InterruptedException {
        int total = rps * seconds;
        CountDownLatch done = new CountDownLatch(total);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime() + 50_000_000L;
        long intervalNanos = 1_000_000_000L / rps;
        AtomicLong sent = new AtomicLong();
        clock.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            while (sent.get() < total) {
                long due = start + sent.get() * intervalNanos;
                if (due > now) {
                    break;
                }
                sent.incrementAndGet();
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                    latencies.add(System.nanoTime() - due);
                    if (failure != null || response.statusCode() != 200) {
                        errors.incrementAndGet();
                    }
                    done.countDown();
                });
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
        done.await(seconds + 60L, TimeUnit.SECONDS);
        clock.shutdownNow();
    }

    private static void closedLoop(HttpClient http, HttpRequest request, int workers, int seconds, ConcurrentLinkedQueue<Long> latencies,
            AtomicInteger errors) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        for (int w = 0; w < workers; w++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - t);
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
    }

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("warm-up request failed: " + response.statusCode() + " " + response.body());
        }
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
