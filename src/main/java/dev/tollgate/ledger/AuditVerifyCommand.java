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

    /** Bytes read from the export at a time, and handed to a worker (whole lines; more if one line is longer). */
    int chunkBytes = 4 << 20;

    /**
     * Whole lines of the export as read (cut after a {@code \n}, or at the end of the file, so a
     * {@code \r\n} is never split) and, once a worker has checked them, each non-empty line's result by
     * the fast route: each line on its own, taking the {@code previousHash} and {@code leafIndex} it
     * states (whether they continue the line before is checked in order, by {@link #consume}).
     */
    private static final class Chunk {
        byte[] bytes;
        int length;
        /** Lines in the chunk, empty ones included (for the line numbers of messages). */
        int lines;
        /** Non-empty lines. */
        int n;
        int[] starts = new int[2048];
        int[] ends = new int[2048];
        int[] lineInChunk = new int[2048];
        long[] leafIndex = new long[2048];
        boolean[] ok = new boolean[2048];
        byte[] leaves = new byte[32 * 2048];
        byte[] hashes = new byte[64 * 2048];
        byte[] stated = new byte[64 * 2048];

        Chunk(int size) {
            bytes = new byte[size];
        }

        private void room() {
            if (n == starts.length) {
                int size = 2 * n;
                starts = Arrays.copyOf(starts, size);
                ends = Arrays.copyOf(ends, size);
                lineInChunk = Arrays.copyOf(lineInChunk, size);
                leafIndex = Arrays.copyOf(leafIndex, size);
                ok = Arrays.copyOf(ok, size);
                leaves = Arrays.copyOf(leaves, 32 * size);
                hashes = Arrays.copyOf(hashes, 64 * size);
                stated = Arrays.copyOf(stated, 64 * size);
            }
        }

        /** The worker's part: the lines split as {@link Lines} splits them, each by the fast route, on its own. */
        Chunk check(FastLine fast) {
            n = 0;
            int line = 0;
            int start = 0;
            while (start < length) {
                int end = Lines.lineEnd(bytes, start, length);
                line++;
                int next = length;
                if (end < length) {
                    next = end + 1;
                    if (bytes[end] == '\r' && next < length && bytes[next] == '\n') {
                        next++;
                    }
                }
                if (end > start) {
                    room();
                    starts[n] = start;
                    ends[n] = end;
                    lineInChunk[n] = line;
                    byte[] leaf;
                    try {
                        leaf = fast.check(bytes, start, end, -1, null);
                    } catch (RuntimeException e) {
                        leaf = null; // the tree's route names what is wrong with the line
                    }
                    ok[n] = leaf != null;
                    if (leaf != null) {
                        System.arraycopy(leaf, 0, leaves, 32 * n, 32);
                        fast.hashInto(hashes, 64 * n);
                        fast.statedPreviousInto(stated, 64 * n);
                        leafIndex[n] = fast.statedLeafIndex();
                    }
                    n++;
                }
                start = next;
            }
            lines = line;
            return this;
        }
    }

    /** The workers' fast routes, one per thread. */
    private static final ThreadLocal<FastLine> FAST = ThreadLocal.withInitial(FastLine::new);

    /** The in-order state: the tree, the previous line's hash, lines read so far, the next checkpoint's size. */
    private final class Order {
        final Merkle.Frontier tree = new Merkle.Frontier();
        final byte[] previous = "0".repeat(64).getBytes(StandardCharsets.US_ASCII);
        long linesBefore;
        final TreeMap<Long, Checkpoint> bySize;
        long nextCheckpoint;

        Order(TreeMap<Long, Checkpoint> bySize) {
            this.bySize = bySize;
            this.nextCheckpoint = bySize.isEmpty() ? Long.MAX_VALUE : bySize.firstKey();
        }
    }

    /**
     * Reads the export in chunks of whole lines, which the workers (one per processor) split and check
     * by the fast route, each line on its own; then, in order, on this thread: the link of each line to
     * the one before ({@code previousHash} is the previous line's {@code hash}, 64 zeros first;
     * {@code leafIndex} the number of records before it), the tree and the checkpoints' roots. A line
     * the fast route did not accept, or whose link does not hold, is judged by the tree's route, which
     * names the reason.
     */
    private long verify(JsonMapper json, TreeMap<Long, Checkpoint> bySize, PrintWriter out) throws IOException, NotVerified {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "audit-verify");
            t.setDaemon(true);
            return t;
        });
        java.util.ArrayDeque<java.util.concurrent.Future<Chunk>> pending = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Chunk> free = new java.util.ArrayDeque<>();
        Order order = new Order(bySize);
        try (InputStream in = Files.newInputStream(export)) {
            Chunk chunk = new Chunk(chunkBytes);
            int filled = 0;
            boolean eof = false;
            while (!eof) {
                while (filled < chunk.bytes.length) {
                    int read = in.read(chunk.bytes, filled, chunk.bytes.length - filled);
                    if (read < 0) {
                        eof = true;
                        break;
                    }
                    filled += read;
                }
                int cut = filled;
                if (!eof) {
                    while (cut > 0 && chunk.bytes[cut - 1] != '\n') {
                        cut--;
                    }
                    if (cut == 0) { // one line longer than the chunk: read on
                        chunk.bytes = Arrays.copyOf(chunk.bytes, chunk.bytes.length * 2);
                        continue;
                    }
                }
                Chunk next = free.isEmpty() ? new Chunk(chunkBytes) : free.poll();
                int rest = filled - cut;
                if (next.bytes.length < 2 * rest) {
                    next.bytes = new byte[Math.max(chunkBytes, 2 * rest)];
                }
                System.arraycopy(chunk.bytes, cut, next.bytes, 0, rest);
                chunk.length = cut;
                if (cut > 0) {
                    Chunk full = chunk;
                    pending.add(workers.submit(() -> full.check(FAST.get())));
                }
                chunk = next;
                filled = rest;
                while (pending.size() > 2 * threads) {
                    free.add(consume(await(pending.poll()), json, order, out));
                }
            }
            while (!pending.isEmpty()) {
                consume(await(pending.poll()), json, order, out);
            }
        } finally {
            workers.shutdownNow();
        }
        Merkle.Frontier tree = order.tree;
        if (tree.size() < bySize.lastKey()) {
            throw new NotVerified("the export holds " + tree.size() + " records, fewer than the checkpoint's " + bySize.lastKey());
        }
        return tree.size();
    }

    private static Chunk await(java.util.concurrent.Future<Chunk> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The in-order part of a checked chunk: links, slow route where needed, the tree and the checkpoints. */
    private Chunk consume(Chunk c, JsonMapper json, Order order, PrintWriter out) throws IOException, NotVerified {
        Merkle.Frontier tree = order.tree;
        byte[] previous = order.previous;
        for (int i = 0; i < c.n; i++) {
            byte[] leaf;
            if (c.ok[i] && c.leafIndex[i] == tree.size() && Arrays.equals(c.stated, 64 * i, 64 * i + 64, previous, 0, 64)) {
                System.arraycopy(c.hashes, 64 * i, previous, 0, 64);
                leaf = Arrays.copyOfRange(c.leaves, 32 * i, 32 * i + 32);
            } else { // outside the fast route, or not verified there: the tree's route decides (and names the reason)
                slowLines++;
                String line = StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(c.bytes, c.starts[i], c.ends[i] - c.starts[i])).toString();
                Checked checked = slowLine(json, line, order.linesBefore + c.lineInChunk[i], tree.size(),
                        new String(previous, StandardCharsets.UTF_8));
                System.arraycopy(checked.hash(), 0, previous, 0, 64);
                leaf = checked.leaf();
            }
            tree.append(leaf);
            if (tree.size() == order.nextCheckpoint) {
                Checkpoint cp = order.bySize.get(tree.size());
                if (!Arrays.equals(tree.root(), cp.root())) {
                    throw new NotVerified("the export's tree of size " + cp.size() + " does not have the root of the signed"
                            + " checkpoint: records up to sequence " + cp.size() + " were changed after it was signed");
                }
                out.println("tree size " + cp.size() + ": root matches the checkpoint");
                Long after = order.bySize.higherKey(tree.size());
                order.nextCheckpoint = after == null ? Long.MAX_VALUE : after;
            }
        }
        order.linesBefore += c.lines;
        return c;
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
        private final int[] keyStarts = new int[16];
        private final int[] keyEnds = new int[16];

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

        /** Whether the last line's {@code hashedRecord} was in canonical form; lines tried since one was not. */
        private boolean lastInPlace = true;
        private int attempts;

        /** The {@code leafIndex} the line states, after a {@link #check} that returned a leaf. */
        private long statedLeafIndex;

        long statedLeafIndex() {
            return statedLeafIndex;
        }

        /**
         * The record's leaf if the line {@code in[from, to)} verifies as leaf {@code size} (−1: as the
         * leaf it states, which the caller then compares with the records before) after {@code previous}
         * (null: after the {@code previousHash} it states, which the caller then compares with the line
         * before); else null.
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
            byte[] text = null;
            int textFrom = 0;
            int textTo = 0;
            boolean inPlace = false;
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
                for (int k = 0; k < keyCount; k++) {
                    if (Arrays.equals(in, keyStarts[k], keyEnds[k], in, keyStart, q)) {
                        return null; // a duplicate member
                    }
                }
                if (keyCount == keyStarts.length) {
                    return null;
                }
                keyStarts[keyCount] = keyStart;
                keyEnds[keyCount++] = q;
                p = skip(in, q + 1, to);
                if (p >= to || in[p] != ':') {
                    return null;
                }
                p = skip(in, p + 1, to);
                if (Arrays.equals(in, keyStart, q, HASHED_RECORD, 0, HASHED_RECORD.length)) {
                    if (p >= to || in[p] != '{') {
                        return null;
                    }
                    record.reset();
                    int recordStart = p;
                    // already canonical (as exports write it): the text is these bytes. After a line that was
                    // not (an older export), only every 64th line tries
                    if (lastInPlace || (++attempts & 63) == 0) {
                        try {
                            p = record.canonicalObject(in, p, to);
                            text = in;
                            textFrom = recordStart;
                            textTo = p;
                            inPlace = true;
                        } catch (CanonicalJson.Unsupported e) {
                            p = recordStart;
                        }
                    }
                    lastInPlace = inPlace;
                    if (!inPlace) { // in another order: canonicalised into the buffer
                        p = record.value(in, recordStart, to);
                        text = record.buffer();
                        textFrom = 0;
                        textTo = record.length();
                        inPlace = false;
                    }
                    haveRecord = true;
                } else if (Arrays.equals(in, keyStart, q, HASH, 0, HASH.length)) {
                    if (to - p < 66 || in[p] != '"' || in[p + 65] != '"') {
                        return null;
                    }
                    System.arraycopy(in, p + 1, hashHex, 0, 64);
                    p += 66;
                    haveHash = true;
                } else {
                    int valueStart = p;
                    p = other.validate(in, p, to);
                    if (Arrays.equals(in, keyStart, q, LEAF_INDEX, 0, LEAF_INDEX.length)) {
                        leafIndex = integer(in, valueStart, p);
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
            if (p != to || !haveRecord || !haveHash || leafIndex < 0 || size >= 0 && leafIndex != size) {
                return null;
            }
            long sequence = inPlace ? record.inputMember(in, SEQUENCE) : record.member(in, SEQUENCE);
            long previousHash = inPlace ? record.inputMember(in, PREVIOUS_HASH) : record.member(in, PREVIOUS_HASH);
            if (sequence < 0 || previousHash < 0 || integer(text, (int) (sequence >>> 32), (int) sequence) != leafIndex + 1) {
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
            chain.update(text, textFrom, textTo - textFrom);
            if (!sameHex(chain.digest(), hashHex)) {
                return null;
            }
            statedLeafIndex = leafIndex;
            leaf.update((byte) 0x00);
            leaf.update(text, textFrom, textTo - textFrom);
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

        /** Each byte's two lower-case hex digits, as one little-endian {@code short}. */
        private static final short[] HEX_PAIRS = new short[256];

        static {
            for (int i = 0; i < 256; i++) {
                HEX_PAIRS[i] = (short) (HEX[i >> 4] | HEX[i & 15] << 8);
            }
        }

        /** Whether {@code hex} is the lower-case hex of {@code bytes}. */
        private static boolean sameHex(byte[] bytes, byte[] hex) {
            int differ = 0;
            for (int i = 0; i < bytes.length; i++) {
                short pair = HEX_PAIRS[bytes[i] & 0xFF];
                differ |= (hex[2 * i] ^ (byte) pair) | (hex[2 * i + 1] ^ (byte) (pair >> 8));
            }
            return differ == 0;
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
