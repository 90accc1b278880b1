package dev.tollgate.ledger;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import dev.tollgate.audit.CanonicalJson;
import dev.tollgate.audit.RecordText;
import dev.tollgate.digest.Digest;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code audit verify}: checks a decision export against signed checkpoints with no database and
 * no server (docs/audit.md, "Verifying offline"). It recomputes every record's chain hash and Merkle
 * leaf from the export's {@code hashedRecord}, rebuilds the tree in sequence order, and checks that
 * at each checkpoint's tree size the root is the checkpoint's, whose signature must verify with a
 * checkpoint key from the keys document ({@code GET /v1/audit/keys}). Several checkpoints (an older
 * and a newer one) are all checked against the one tree, which is their consistency.
 * <p>
 * Exit status: 0 verified, 1 not verified (the reason is printed), 2 unusable arguments or files.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify a decision export (NDJSON) against signed checkpoints, offline.")
public class AuditVerifyCommand implements Callable<Integer> {

    @Option(names = "--export", required = true, description = "the NDJSON export of GET /v1/decisions/export (unfiltered)")
    Path export;

    @Option(names = "--checkpoint", required = true, description = "a checkpoint (signed note); may be given more than once")
    List<Path> checkpoints;

    @Option(names = "--keys", required = true, description = "the keys document of GET /v1/audit/keys")
    Path keys;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command on its own: {@code java -cp tollgate.jar … dev.tollgate.ledger.AuditVerifyCommand --export …}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new AuditVerifyCommand()).execute(args));
    }

    /** A verification that did not hold. */
    static final class NotVerified extends Exception {
        NotVerified(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonMapper json = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        List<SigningKeys.CheckpointKey> checkpointKeys;
        TreeMap<Long, Checkpoint> bySize = new TreeMap<>();
        try {
            checkpointKeys = checkpointKeys(json.readTree(Files.readString(keys, StandardCharsets.UTF_8)));
            for (Path file : checkpoints) {
                try {
                    Checkpoint c = Checkpoint.verify(Files.readString(file, StandardCharsets.UTF_8), checkpointKeys);
                    Checkpoint other = bySize.put(c.size(), c);
                    if (other != null && !Arrays.equals(other.root(), c.root())) {
                        return notVerified(err, "two checkpoints of size " + c.size() + " have different roots: the log forked");
                    }
                    out.println("checkpoint " + file + ": signature verified (" + c.origin() + ", size " + c.size() + ")");
                } catch (Checkpoint.Invalid e) {
                    return notVerified(err, "checkpoint " + file + ": " + e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            err.println("cannot read the keys or a checkpoint: " + e.getMessage());
            return 2;
        }
        try {
            long records = verify(json, bySize, out);
            out.println("verified: " + records + " records; every checkpoint's root recomputed from the export");
            return 0;
        } catch (NotVerified e) {
            return notVerified(err, e.getMessage());
        } catch (IOException e) {
            err.println("cannot read the export: " + e.getMessage());
            return 2;
        }
    }

    private static int notVerified(PrintWriter err, String why) {
        err.println("NOT VERIFIED: " + why);
        return 1;
    }

    /** Lines the fast route passed to the tree's route (for the benchmark). */
    long slowLines;

    /** Lines handed to a worker at a time. */
    private static final int BATCH = 256;

    /**
     * A batch of consecutive non-empty lines (copied out of the reader's buffer) and, once a worker has
     * checked them, each line's result by the fast route: each line on its own, taking the
     * {@code previousHash} it states (whether that is the hash of the line before is checked in order,
     * by {@link #verify}).
     */
    private static final class Batch {
        byte[] bytes = new byte[1 << 19];
        int length;
        final int[] starts = new int[BATCH];
        final int[] ends = new int[BATCH];
        final long[] lineNumbers = new long[BATCH];
        int n;
        /** The leaf index the first line must have. */
        long firstSize;
        final boolean[] ok = new boolean[BATCH];
        final byte[] leaves = new byte[32 * BATCH];
        final byte[] hashes = new byte[64 * BATCH];
        final byte[] stated = new byte[64 * BATCH];

        void add(byte[] in, int from, int to, long lineNumber) {
            int size = to - from;
            if (length + size > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + size));
            }
            System.arraycopy(in, from, bytes, length, size);
            starts[n] = length;
            ends[n] = length + size;
            lineNumbers[n] = lineNumber;
            length += size;
            n++;
        }

        /** The worker's part: every line by the fast route, on its own. */
        Batch check(FastLine fast) {
            for (int i = 0; i < n; i++) {
                byte[] leaf;
                try {
                    leaf = fast.check(bytes, starts[i], ends[i], firstSize + i, null);
                } catch (RuntimeException e) {
                    leaf = null; // the tree's route names what is wrong with the line
                }
                ok[i] = leaf != null;
                if (leaf != null) {
                    System.arraycopy(leaf, 0, leaves, 32 * i, 32);
                    fast.hashInto(hashes, 64 * i);
                    fast.statedPreviousInto(stated, 64 * i);
                }
            }
            return this;
        }
    }

    /** The workers' fast routes, one per thread. */
    private static final ThreadLocal<FastLine> FAST = ThreadLocal.withInitial(FastLine::new);

    /**
     * Reads the export in batches of lines, which the workers (one per processor) check by the fast
     * route, each line on its own; then, in order, on this thread: the link of each line to the one
     * before ({@code previousHash} is the previous line's {@code hash}; 64 zeros first), the tree and
     * the checkpoints' roots. A line the fast route did not accept, or whose link does not hold, is
     * judged by the tree's route, which names the reason.
     */
    private long verify(JsonMapper json, TreeMap<Long, Checkpoint> bySize, PrintWriter out) throws IOException, NotVerified {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "audit-verify");
            t.setDaemon(true);
            return t;
        });
        java.util.ArrayDeque<java.util.concurrent.Future<Batch>> pending = new java.util.ArrayDeque<>();
        Merkle.Frontier tree = new Merkle.Frontier();
        byte[][] previous = {"0".repeat(64).getBytes(StandardCharsets.US_ASCII)};
        try (Lines lines = new Lines(export)) {
            long lineNumber = 0;
            long size = 0;
            Batch batch = new Batch();
            while (true) {
                boolean more = lines.next();
                if (more) {
                    lineNumber++;
                    if (lines.length() == 0) {
                        continue;
                    }
                    if (batch.n == 0) {
                        batch.firstSize = size;
                    }
                    batch.add(lines.buffer(), lines.start(), lines.end(), lineNumber);
                    size++;
                }
                if (batch.n == BATCH || (!more && batch.n > 0)) {
                    Batch full = batch;
                    pending.add(workers.submit(() -> full.check(FAST.get())));
                    batch = new Batch();
                    while (pending.size() > 2 * threads) {
                        consume(await(pending.poll()), json, tree, previous, bySize, out);
                    }
                }
                if (!more) {
                    break;
                }
            }
            while (!pending.isEmpty()) {
                consume(await(pending.poll()), json, tree, previous, bySize, out);
            }
        } finally {
            workers.shutdownNow();
        }
        if (tree.size() < bySize.lastKey()) {
            throw new NotVerified("the export holds " + tree.size() + " records, fewer than the checkpoint's " + bySize.lastKey());
        }
        return tree.size();
    }

    private static Batch await(java.util.concurrent.Future<Batch> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The in-order part of a checked batch: links, slow route where needed, the tree and the checkpoints. */
    private void consume(Batch b, JsonMapper json, Merkle.Frontier tree, byte[][] previous, TreeMap<Long, Checkpoint> bySize,
            PrintWriter out) throws IOException, NotVerified {
        for (int i = 0; i < b.n; i++) {
            byte[] leaf;
            if (b.ok[i] && Arrays.equals(b.stated, 64 * i, 64 * i + 64, previous[0], 0, 64)) {
                previous[0] = Arrays.copyOfRange(b.hashes, 64 * i, 64 * i + 64);
                leaf = Arrays.copyOfRange(b.leaves, 32 * i, 32 * i + 32);
            } else { // outside the fast route, or not verified there: the tree's route decides (and names the reason)
                slowLines++;
                String line = StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(b.bytes, b.starts[i], b.ends[i] - b.starts[i])).toString();
                Checked checked = slowLine(json, line, b.lineNumbers[i], tree.size(), new String(previous[0], StandardCharsets.UTF_8));
                previous[0] = checked.hash();
                leaf = checked.leaf();
            }
            tree.append(leaf);
            Checkpoint c = bySize.get(tree.size());
            if (c != null) {
                if (!Arrays.equals(tree.root(), c.root())) {
                    throw new NotVerified("the export's tree of size " + c.size() + " does not have the root of the signed"
                            + " checkpoint: records up to sequence " + c.size() + " were changed after it was signed");
                }
                out.println("tree size " + c.size() + ": root matches the checkpoint");
            }
        }
    }

    /** A line that verified: its hash (UTF-8 text) and its record's leaf. */
    private record Checked(byte[] hash, byte[] leaf) {
    }

    /** One line through Jackson's tree and {@link RecordText#canonical}: the definition of the checks. */
    private static Checked slowLine(JsonMapper json, String line, long lineNumber, long size, String previous) throws NotVerified {
        JsonNode entry = json.readTree(line);
        JsonNode hashed = entry.get("hashedRecord");
        if (hashed == null || !hashed.isObject()) {
            throw new NotVerified("line " + lineNumber + " has no hashedRecord (an export from before the ledger?)");
        }
        long sequence = hashed.path("sequence").asLong(-1);
        if (sequence != size + 1 || entry.path("leafIndex").asLong(-1) != size) {
            throw new NotVerified("line " + lineNumber + " is sequence " + sequence + ", expected " + (size + 1)
                    + ": the export must be complete and unfiltered, in sequence order");
        }
        String text = RecordText.canonical(hashed);
        if (!previous.equals(hashed.path("previousHash").asString(""))
                || !RecordText.chainHash(previous, text).equals(entry.path("hash").asString(""))) {
            throw new NotVerified("the record at sequence " + sequence + " does not continue the hash chain");
        }
        return new Checked(entry.path("hash").asString().getBytes(StandardCharsets.UTF_8), Merkle.leafHash(text));
    }

    /**
     * The fast route for one export line: its bytes parsed once, {@code hashedRecord}'s canonical
     * text written by {@link CanonicalJson} into a reused buffer, both hashes by reused digests. It
     * accepts a line only if every check of {@link #slowLine} holds; anything else (a check that fails,
     * input outside CanonicalJson's subset) returns null and the line goes the slow route.
     */
    static final class FastLine {
        private static final byte[] HASHED_RECORD = ascii("hashedRecord");
        private static final byte[] HASH = ascii("hash");
        private static final byte[] LEAF_INDEX = ascii("leafIndex");
        private static final byte[] SEQUENCE = ascii("sequence");
        private static final byte[] PREVIOUS_HASH = ascii("previousHash");

        private final CanonicalJson record = new CanonicalJson();
        private final CanonicalJson other = new CanonicalJson();
        private final MessageDigest chain = Digest.Algorithm.SHA256.digester();
        private final MessageDigest leaf = Digest.Algorithm.SHA256.digester();
        private final byte[] hashHex = new byte[64];
        private final byte[] computed = new byte[64];
        private final byte[][] keys = new byte[16][];

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }

        /** The {@code previousHash} the record states (lower-case hex, ASCII), after a {@link #check} that returned a leaf. */
        private final byte[] statedPrevious = new byte[64];

        /** The line's hash (lower-case hex, ASCII) after a {@link #check} that returned a leaf. */
        byte[] hash() {
            return hashHex.clone();
        }

        void hashInto(byte[] into, int at) {
            System.arraycopy(hashHex, 0, into, at, 64);
        }

        void statedPreviousInto(byte[] into, int at) {
            System.arraycopy(statedPrevious, 0, into, at, 64);
        }

        /**
         * The record's leaf if the line {@code in[from, to)} verifies as leaf {@code size} after
         * {@code previous} (null: after the {@code previousHash} it states, which the caller then
         * compares with the line before); else null.
         */
        byte[] check(byte[] in, int from, int to, long size, byte[] previous) {
            try {
                return checkOrThrow(in, from, to, size, previous);
            } catch (CanonicalJson.Unsupported e) {
                return null;
            }
        }

        private byte[] checkOrThrow(byte[] in, int from, int to, long size, byte[] previous) {
            int p = skip(in, from, to);
            if (p >= to || in[p] != '{') {
                return null;
            }
            p = skip(in, p + 1, to);
            boolean haveRecord = false;
            boolean haveHash = false;
            long leafIndex = -1;
            int keyCount = 0;
            if (p < to && in[p] == '}') {
                return null;
            }
            while (true) {
                if (p >= to || in[p] != '"') {
                    return null;
                }
                int keyStart = p + 1;
                int q = keyStart;
                while (q < to && in[q] != '"') {
                    if (in[q] < 0x20 || in[q] == '\\') {
                        return null;
                    }
                    q++;
                }
                if (q >= to) {
                    return null;
                }
                byte[] key = Arrays.copyOfRange(in, keyStart, q);
                for (int k = 0; k < keyCount; k++) {
                    if (Arrays.equals(keys[k], key)) {
                        return null; // a duplicate member
                    }
                }
                if (keyCount == keys.length) {
                    return null;
                }
                keys[keyCount++] = key;
                p = skip(in, q + 1, to);
                if (p >= to || in[p] != ':') {
                    return null;
                }
                p = skip(in, p + 1, to);
                if (Arrays.equals(key, HASHED_RECORD)) {
                    if (p >= to || in[p] != '{') {
                        return null;
                    }
                    record.reset();
                    p = record.value(in, p, to);
                    haveRecord = true;
                } else if (Arrays.equals(key, HASH)) {
                    if (to - p < 66 || in[p] != '"' || in[p + 65] != '"') {
                        return null;
                    }
                    System.arraycopy(in, p + 1, hashHex, 0, 64);
                    p += 66;
                    haveHash = true;
                } else {
                    other.reset();
                    p = other.value(in, p, to);
                    if (Arrays.equals(key, LEAF_INDEX)) {
                        leafIndex = integer(other.buffer(), 0, other.length());
                    }
                }
                p = skip(in, p, to);
                if (p >= to) {
                    return null;
                }
                if (in[p] == ',') {
                    p = skip(in, p + 1, to);
                } else if (in[p] == '}') {
                    p = skip(in, p + 1, to);
                    break;
                } else {
                    return null;
                }
            }
            if (p != to || !haveRecord || !haveHash || leafIndex != size) {
                return null;
            }
            byte[] text = record.buffer();
            int length = record.length();
            long sequence = record.member(in, SEQUENCE);
            long previousHash = record.member(in, PREVIOUS_HASH);
            if (sequence < 0 || previousHash < 0 || integer(text, (int) (sequence >>> 32), (int) sequence) != size + 1) {
                return null;
            }
            int ps = (int) (previousHash >>> 32);
            int pe = (int) previousHash;
            if (pe - ps != 66 || text[ps] != '"' || text[pe - 1] != '"'
                    || previous != null && (previous.length != 64 || !Arrays.equals(text, ps + 1, pe - 1, previous, 0, 64))) {
                return null;
            }
            System.arraycopy(text, ps + 1, statedPrevious, 0, 64);
            chain.update(statedPrevious);
            chain.update(text, 0, length);
            hex(chain.digest(), computed);
            if (!Arrays.equals(computed, hashHex)) {
                return null;
            }
            leaf.update((byte) 0x00);
            leaf.update(text, 0, length);
            return leaf.digest();
        }

        /** A canonical integer's value, or −1 if the bytes are not one (non-negative, no sign). */
        private static long integer(byte[] b, int from, int to) {
            if (to <= from || to - from > 18) {
                return -1;
            }
            long v = 0;
            for (int i = from; i < to; i++) {
                if (b[i] < '0' || b[i] > '9') {
                    return -1;
                }
                v = v * 10 + (b[i] - '0');
            }
            return v;
        }

        private static final byte[] HEX = ascii("0123456789abcdef");

        private static void hex(byte[] bytes, byte[] into) {
            for (int i = 0; i < bytes.length; i++) {
                into[2 * i] = HEX[(bytes[i] >> 4) & 15];
                into[2 * i + 1] = HEX[bytes[i] & 15];
            }
        }

        private static int skip(byte[] in, int p, int end) {
            while (p < end && (in[p] == ' ' || in[p] == '\n' || in[p] == '\r' || in[p] == '\t')) {
                p++;
            }
            return p;
        }
    }

    /**
     * The export's lines as byte ranges of one growing buffer, split as {@link BufferedReader#readLine}
     * splits them ({@code \n}, {@code \r} or {@code \r\n}); {@link #decode} is the line as text, refusing
     * malformed UTF-8 as the reader does.
     */
    static final class Lines implements AutoCloseable {
        private final InputStream in;
        private byte[] buf = new byte[1 << 20];
        private int filled;
        private int start;
        private int end;
        private int next;
        private boolean eof;

        Lines(Path file) throws IOException {
            this.in = Files.newInputStream(file);
        }

        boolean next() throws IOException {
            start = next;
            int scan = start;
            while (true) {
                scan = lineEnd(buf, scan, filled);
                if (scan < filled && (buf[scan] == '\n' || scan + 1 < filled || eof)) {
                    end = scan;
                    next = scan + 1;
                    if (buf[scan] == '\r' && next < filled && buf[next] == '\n') {
                        next++;
                    }
                    return true;
                }
                if (eof) {
                    if (start >= filled) {
                        return false;
                    }
                    end = filled;
                    next = filled;
                    return true;
                }
                // more input: move the partial line to the front, grow if it fills the buffer
                int kept = filled - start;
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, kept);
                } else if (kept == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                scan -= start;
                start = 0;
                next = 0;
                filled = kept;
                int n = in.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    eof = true;
                } else {
                    filled += n;
                }
            }
        }

        private static final java.lang.invoke.VarHandle LONGS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        private static final long ONES = 0x0101010101010101L;
        private static final long HIGHS = 0x8080808080808080L;

        /** The first {@code \n} or {@code \r} in {@code b[from, to)}, or {@code to}: eight bytes a step. */
        static int lineEnd(byte[] b, int from, int to) {
            int i = from;
            for (; i + 8 <= to; i += 8) {
                long x = (long) LONGS.get(b, i);
                long lf = x ^ 0x0A0A0A0A0A0A0A0AL;
                long cr = x ^ 0x0D0D0D0D0D0D0D0DL;
                if (((((lf - ONES) & ~lf) | ((cr - ONES) & ~cr)) & HIGHS) != 0) {
                    break;
                }
            }
            while (i < to && b[i] != '\n' && b[i] != '\r') {
                i++;
            }
            return i;
        }

        byte[] buffer() {
            return buf;
        }

        int start() {
            return start;
        }

        int end() {
            return end;
        }

        int length() {
            return end - start;
        }

        String decode() throws IOException {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(buf, start, end - start)).toString();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The checkpoint keys of a keys document. */
    static List<SigningKeys.CheckpointKey> checkpointKeys(JsonNode document) throws IOException {
        List<SigningKeys.CheckpointKey> out = new ArrayList<>();
        for (JsonNode key : document.path("keys")) {
            if (!key.path("purpose").asString("").equals("checkpoint")) {
                continue;
            }
            Object pem = SigningKeys.readPem(key.path("publicKey").asString(""));
            if (!(pem instanceof SubjectPublicKeyInfo spki) || !(PublicKeyFactory.createKey(spki) instanceof Ed25519PublicKeyParameters p)) {
                throw new IOException("checkpoint key " + key.path("id").asString("?") + " is not an Ed25519 public key");
            }
            out.add(SigningKeys.checkpointKey(key.path("name").asString(""), p.getEncoded(), null, false));
        }
        if (out.isEmpty()) {
            throw new IOException("the keys document holds no checkpoint key");
        }
        return out;
    }
}
