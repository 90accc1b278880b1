package dev.tollgate.audit;

import java.util.Arrays;

/**
 * The canonical text of {@link DecisionChain} written straight from JSON bytes into a reusable
 * buffer, for verification at scale (the offline verifier and {@code GET /v1/audit/verify}): one
 * pass over the input, no tree, no strings, object members sorted in place. It covers what the
 * records hold — objects, arrays, strings, integers of up to 18 digits, literals — and throws
 * {@link Unsupported} for anything else (fractions and exponents, longer integers, escaped or
 * non-ASCII object keys, surrogate escapes, {@code \u0000}, invalid UTF-8 or JSON, nesting deeper than
 * 200). A caller then canonicalises that record through the tree ({@link RecordText#canonical}),
 * the one definition: this class is only a faster route to the same bytes, and every hash computed
 * from its output is compared with a stored one, so a divergence could only refuse a record, never
 * accept one. Not thread-safe: one instance per verifying thread.
 */
public final class CanonicalJson {

    private static final int MAX_DEPTH = 200;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Input outside the fast subset (or not JSON): canonicalise it through the tree instead. */
    public static final class Unsupported extends RuntimeException {
        Unsupported() {
            super("outside the fast canonical subset", null, false, false);
        }
    }

    private static final Unsupported UNSUPPORTED = new Unsupported();

    private byte[] out = new byte[16 * 1024];
    private int len;
    private byte[] scratch = new byte[16 * 1024];
    private final Members[] members = new Members[MAX_DEPTH + 2];

    /** The members of the outermost object of the last {@link #value} call, in canonical order. */
    private Members root;
    private int rootDepth;

    /** One object's members: key range in the input, member and value ranges in the output. */
    private static final class Members {
        int n;
        int[] keyStart = new int[16];
        int[] keyEnd = new int[16];
        int[] outStart = new int[16];
        int[] valueStart = new int[16];
        int[] outEnd = new int[16];
        int[] order = new int[16];
        /** Working arrays of the sort, at least {@code n} long after {@link #spare()}. */
        int[][] spare = new int[5][16];

        void spare() {
            if (spare[0].length < n) {
                for (int i = 0; i < spare.length; i++) {
                    spare[i] = new int[keyStart.length];
                }
            }
        }

        void add(int ks, int ke, int os, int vs, int oe) {
            if (n == keyStart.length) {
                int size = n * 2;
                keyStart = Arrays.copyOf(keyStart, size);
                keyEnd = Arrays.copyOf(keyEnd, size);
                outStart = Arrays.copyOf(outStart, size);
                valueStart = Arrays.copyOf(valueStart, size);
                outEnd = Arrays.copyOf(outEnd, size);
                order = Arrays.copyOf(order, size);
            }
            keyStart[n] = ks;
            keyEnd[n] = ke;
            outStart[n] = os;
            valueStart[n] = vs;
            outEnd[n] = oe;
            order[n] = n;
            n++;
        }
    }

    public CanonicalJson() {
    }

    /** Empties the output. */
    public void reset() {
        len = 0;
    }

    /** The output so far: {@code buffer()[0, length())}. */
    public byte[] buffer() {
        return out;
    }

    public int length() {
        return len;
    }

    /** Cuts the output back to {@code length} (to drop a part that turned out {@link Unsupported}). */
    public void truncate(int length) {
        len = length;
    }

    /** Appends bytes as they are (ASCII structure the caller knows to be canonical). */
    public void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, out, len, bytes.length);
        len += bytes.length;
    }

    /** Appends a string's canonical form from its UTF-8 bytes (quoted and escaped). */
    public void string(byte[] utf8) {
        ensure(utf8.length + 2);
        out[len++] = '"';
        rawString(utf8, 0, utf8.length);
        put((byte) '"');
    }

    /** Appends the canonical form of a whole JSON document ({@code in[0, in.length)}; white space around it allowed). */
    public void document(byte[] in) {
        int p = value(in, skip(in, 0, in.length), in.length);
        if (skip(in, p, in.length) != in.length) {
            throw UNSUPPORTED;
        }
    }

    /**
     * Appends the canonical form of the JSON value at {@code in[at]} (white space before it
     * skipped); returns the offset after it.
     */
    public int value(byte[] in, int at, int end) {
        root = null;
        rootDepth = 1;
        return value(in, skip(in, at, end), end, 1);
    }

    /**
     * The output range of the value of the outermost object's member {@code key} of the last
     * {@link #value} call, as {@code (start << 32) | end}, or −1 if it has no such member.
     */
    public long member(byte[] in, byte[] key) {
        Members m = root;
        if (m == null) {
            return -1;
        }
        for (int i = 0; i < m.n; i++) {
            if (Arrays.equals(in, m.keyStart[i], m.keyEnd[i], key, 0, key.length)) {
                return ((long) m.valueStart[i] << 32) | m.outEnd[i];
            }
        }
        return -1;
    }

    /**
     * Checks, without writing anything, that {@code in[at, end)} starts with a JSON value inside this
     * class's subset, as {@link #value} would accept it (no duplicate object keys, well-formed UTF-8,
     * the same refusals); returns the offset after it. Throws {@link Unsupported} where value would.
     */
    public int validate(byte[] in, int at, int end) {
        keyTop = 0;
        return check(in, skip(in, at, end), end, 1);
    }

    /**
     * Whether {@code in[at, …)} is a JSON object already in canonical form, inside this class's subset:
     * exactly the bytes {@link #value} would write for it (members in order, no white space, each string
     * escaped as the canonical form escapes it), so that its canonical text is the input itself. Returns
     * the offset after it; throws {@link Unsupported} for anything else (then canonicalise it with
     * {@link #value}). Writes nothing; {@link #inputMember} then gives the outermost object's members.
     */
    public int canonicalObject(byte[] in, int at, int end) {
        rootMembers = 0;
        if (at >= end || in[at] != '{') {
            throw UNSUPPORTED;
        }
        return canon(in, at, end, 1);
    }

    /** The outermost object's members of the last {@link #canonicalObject}: key start, key end, value start, value end. */
    private int[] rootRanges = new int[64];
    private int rootMembers;

    /**
     * The input range of the value of the outermost object's member {@code key} of the last
     * {@link #canonicalObject} call, as {@code (start << 32) | end}, or −1 if it has no such member.
     */
    public long inputMember(byte[] in, byte[] key) {
        for (int i = 0; i < rootMembers; i++) {
            int k = 4 * i;
            if (Arrays.equals(in, rootRanges[k], rootRanges[k + 1], key, 0, key.length)) {
                return ((long) rootRanges[k + 2] << 32) | rootRanges[k + 3];
            }
        }
        return -1;
    }

    private int canon(byte[] in, int p, int end, int depth) {
        if (p >= end || depth > MAX_DEPTH) {
            throw UNSUPPORTED;
        }
        byte b = in[p];
        switch (b) {
            case '{': {
                p++;
                if (p < end && in[p] == '}') {
                    return p + 1;
                }
                int previousStart = -1;
                int previousEnd = -1;
                while (true) {
                    if (p >= end || in[p] != '"') {
                        throw UNSUPPORTED;
                    }
                    int keyStart = p + 1;
                    int q = plainKeyEnd(in, keyStart, end);
                    // strictly ascending: sorted as the canonical form sorts, no duplicates
                    if (previousStart >= 0 && compare(in, previousStart, previousEnd, keyStart, q) >= 0) {
                        throw UNSUPPORTED;
                    }
                    previousStart = keyStart;
                    previousEnd = q;
                    p = q + 1;
                    if (p >= end || in[p] != ':') {
                        throw UNSUPPORTED;
                    }
                    int valueStart = p + 1;
                    p = canon(in, valueStart, end, depth + 1);
                    if (depth == 1) {
                        if (4 * rootMembers + 4 > rootRanges.length) {
                            rootRanges = Arrays.copyOf(rootRanges, rootRanges.length * 2);
                        }
                        int k = 4 * rootMembers++;
                        rootRanges[k] = keyStart;
                        rootRanges[k + 1] = q;
                        rootRanges[k + 2] = valueStart;
                        rootRanges[k + 3] = p;
                    }
                    if (p >= end) {
                        throw UNSUPPORTED;
                    }
                    if (in[p] == ',') {
                        p++;
                    } else if (in[p] == '}') {
                        return p + 1;
                    } else {
                        throw UNSUPPORTED;
                    }
                }
            }
            case '[': {
                p++;
                if (p < end && in[p] == ']') {
                    return p + 1;
                }
                while (true) {
                    p = canon(in, p, end, depth + 1);
                    if (p >= end) {
                        throw UNSUPPORTED;
                    }
                    if (in[p] == ',') {
                        p++;
                    } else if (in[p] == ']') {
                        return p + 1;
                    } else {
                        throw UNSUPPORTED;
                    }
                }
            }
            case '"':
                return canonicalString(in, p + 1, end);
            case 't':
            case 'f':
            case 'n':
            default: {
                // literals and integers: value writes them as they are, or refuses them
                int mark = len;
                p = value(in, p, end, depth);
                len = mark;
                return p;
            }
        }
    }

    /** The offset of the closing quote of a member name that needs no escape (from after its opening quote). */
    private static int plainKeyEnd(byte[] in, int keyStart, int end) {
        int q = plain(in, keyStart, end);
        while (q < end && in[q] != '"') {
            byte c = in[q];
            if (c < 0x20 || c == '\\') {
                throw UNSUPPORTED;
            }
            q++;
        }
        if (q >= end) {
            throw UNSUPPORTED;
        }
        return q;
    }

    /** The offset after a string (from after its opening quote) that is escaped exactly as the canonical form escapes it. */
    private static int canonicalString(byte[] in, int p, int end) {
        while (true) {
            p = plain(in, p, end);
            if (p >= end) {
                throw UNSUPPORTED;
            }
            byte b = in[p];
            if (b == '"') {
                return p + 1;
            }
            if (b < 0) {
                p = utf8(in, p, end);
                continue;
            }
            if (b != '\\' || p + 1 >= end) {
                if (b < 0x20) {
                    throw UNSUPPORTED; // a raw control character: not JSON
                }
                p++;
                continue;
            }
            byte e = in[p + 1];
            if (e == '"' || e == '\\' || e == 'n' || e == 'r' || e == 't') {
                p += 2;
                continue;
            }
            // backslash, u, 00XY (lower-case), for a control character without a short escape (and not U+0000)
            if (e != 'u' || p + 6 > end || in[p + 2] != '0' || in[p + 3] != '0' || (in[p + 4] != '0' && in[p + 4] != '1')) {
                throw UNSUPPORTED;
            }
            byte last = in[p + 5];
            int low = last >= '0' && last <= '9' ? last - '0' : last >= 'a' && last <= 'f' ? last - 'a' + 10 : -1;
            int c = low < 0 ? -1 : (in[p + 4] - '0') * 16 + low;
            if (c <= 0 || c == '\n' || c == '\r' || c == '\t') {
                throw UNSUPPORTED;
            }
            p += 6;
        }
    }

    /** Key ranges of the objects {@link #check} is inside, innermost last. */
    private int[] keyRanges = new int[256];
    private int keyTop;

    /** Members of one object {@link #check} compares each new key with (more: the tree's route). */
    private static final int MAX_CHECKED_MEMBERS = 64;

    private int check(byte[] in, int p, int end, int depth) {
        if (p >= end || depth > MAX_DEPTH) {
            throw UNSUPPORTED;
        }
        switch (in[p]) {
            case '{': {
                int base = keyTop;
                p = skip(in, p + 1, end);
                if (p < end && in[p] == '}') {
                    return p + 1;
                }
                while (true) {
                    if (p >= end || in[p] != '"') {
                        throw UNSUPPORTED;
                    }
                    int keyStart = p + 1;
                    int q = plainKeyEnd(in, keyStart, end);
                    for (int k = base; k < keyTop; k += 2) {
                        if (Arrays.equals(in, keyRanges[k], keyRanges[k + 1], in, keyStart, q)) {
                            throw UNSUPPORTED; // a duplicate key: the strict parser refuses it
                        }
                    }
                    if (keyTop - base == 2 * MAX_CHECKED_MEMBERS) {
                        throw UNSUPPORTED;
                    }
                    if (keyTop + 2 > keyRanges.length) {
                        keyRanges = Arrays.copyOf(keyRanges, keyRanges.length * 2);
                    }
                    keyRanges[keyTop++] = keyStart;
                    keyRanges[keyTop++] = q;
                    p = skip(in, q + 1, end);
                    if (p >= end || in[p] != ':') {
                        throw UNSUPPORTED;
                    }
                    p = skip(in, check(in, skip(in, p + 1, end), end, depth + 1), end);
                    if (p >= end) {
                        throw UNSUPPORTED;
                    }
                    if (in[p] == ',') {
                        p = skip(in, p + 1, end);
                    } else if (in[p] == '}') {
                        keyTop = base;
                        return p + 1;
                    } else {
                        throw UNSUPPORTED;
                    }
                }
            }
            case '[': {
                p = skip(in, p + 1, end);
                if (p < end && in[p] == ']') {
                    return p + 1;
                }
                while (true) {
                    p = skip(in, check(in, p, end, depth + 1), end);
                    if (p >= end) {
                        throw UNSUPPORTED;
                    }
                    if (in[p] == ',') {
                        p = skip(in, p + 1, end);
                    } else if (in[p] == ']') {
                        return p + 1;
                    } else {
                        throw UNSUPPORTED;
                    }
                }
            }
            case '"':
            case 't':
            case 'f':
            case 'n':
            default: {
                // scalars: written to the output and dropped again (they are short; strings are copied once)
                int mark = len;
                p = value(in, p, end, depth);
                len = mark;
                return p;
            }
        }
    }

    private int value(byte[] in, int p, int end, int depth) {
        if (p >= end) {
            throw UNSUPPORTED;
        }
        byte b = in[p];
        switch (b) {
            case '{':
                return object(in, p, end, depth);
            case '[':
                return array(in, p, end, depth);
            case '"':
                return string(in, p, end);
            case 't':
                return literal(in, p, end, TRUE);
            case 'f':
                return literal(in, p, end, FALSE);
            case 'n':
                return literal(in, p, end, NULL);
            default:
                return number(in, p, end);
        }
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private int literal(byte[] in, int p, int end, byte[] word) {
        if (end - p < word.length || !Arrays.equals(in, p, p + word.length, word, 0, word.length)) {
            throw UNSUPPORTED;
        }
        ensure(word.length);
        System.arraycopy(word, 0, out, len, word.length);
        len += word.length;
        return p + word.length;
    }

    private int number(byte[] in, int p, int end) {
        int start = p;
        if (p < end && in[p] == '-') {
            p++;
        }
        int digits = p;
        if (p < end && in[p] == '0') {
            p++;
        } else {
            while (p < end && in[p] >= '0' && in[p] <= '9') {
                p++;
            }
        }
        int count = p - digits;
        // -0, fractions, exponents and long integers take the tree's route
        if (count == 0 || count > 18 || (count == 1 && in[digits] == '0' && digits > start)) {
            throw UNSUPPORTED;
        }
        if (p < end && (in[p] == '.' || in[p] == 'e' || in[p] == 'E' || (in[p] >= '0' && in[p] <= '9'))) {
            throw UNSUPPORTED;
        }
        ensure(p - start);
        System.arraycopy(in, start, out, len, p - start);
        len += p - start;
        return p;
    }

    private int array(byte[] in, int p, int end, int depth) {
        if (depth > MAX_DEPTH) {
            throw UNSUPPORTED;
        }
        put((byte) '[');
        p = skip(in, p + 1, end);
        if (p < end && in[p] == ']') {
            put((byte) ']');
            return p + 1;
        }
        while (true) {
            p = value(in, p, end, depth + 1);
            p = skip(in, p, end);
            if (p >= end) {
                throw UNSUPPORTED;
            }
            if (in[p] == ',') {
                put((byte) ',');
                p = skip(in, p + 1, end);
            } else if (in[p] == ']') {
                put((byte) ']');
                return p + 1;
            } else {
                throw UNSUPPORTED;
            }
        }
    }

    private int object(byte[] in, int p, int end, int depth) {
        if (depth > MAX_DEPTH) {
            throw UNSUPPORTED;
        }
        Members m = members[depth];
        if (m == null) {
            m = members[depth] = new Members();
        }
        m.n = 0;
        int objectStart = len;
        put((byte) '{');
        p = skip(in, p + 1, end);
        if (p < end && in[p] == '}') {
            put((byte) '}');
            if (depth == rootDepth) {
                root = m;
            }
            return p + 1;
        }
        boolean sorted = true;
        while (true) {
            if (p >= end || in[p] != '"') {
                throw UNSUPPORTED;
            }
            int keyStart = p + 1;
            int q = plain(in, keyStart, end);
            while (q < end && in[q] != '"') {
                byte c = in[q];
                if (c < 0x20 || c == '\\') { // negative (non-ASCII), control or escaped: the tree's route
                    throw UNSUPPORTED;
                }
                q++;
            }
            if (q >= end) {
                throw UNSUPPORTED;
            }
            int keyEnd = q;
            if (m.n > 0) {
                int previous = m.n - 1;
                int c = compare(in, m.keyStart[previous], m.keyEnd[previous], keyStart, keyEnd);
                if (c == 0) {
                    throw UNSUPPORTED; // a duplicate key: the strict parser refuses it
                }
                if (c > 0) {
                    sorted = false;
                }
                put((byte) ',');
            }
            int memberStart = len;
            int keyLength = keyEnd - keyStart + 2;
            ensure(keyLength + 1);
            System.arraycopy(in, keyStart - 1, out, len, keyLength);
            len += keyLength;
            p = skip(in, keyEnd + 1, end);
            if (p >= end || in[p] != ':') {
                throw UNSUPPORTED;
            }
            out[len++] = ':';
            int valueStart = len;
            p = value(in, skip(in, p + 1, end), end, depth + 1);
            m.add(keyStart, keyEnd, memberStart, valueStart, len);
            p = skip(in, p, end);
            if (p >= end) {
                throw UNSUPPORTED;
            }
            if (in[p] == ',') {
                p = skip(in, p + 1, end);
            } else if (in[p] == '}') {
                p++;
                break;
            } else {
                throw UNSUPPORTED;
            }
        }
        if (!sorted) {
            sort(m, in);
            int from = objectStart + 1;
            int size = len - from;
            if (scratch.length < size) {
                scratch = new byte[Math.max(size, scratch.length * 2)];
            }
            System.arraycopy(out, from, scratch, 0, size);
            len = from;
            m.spare();
            int[] starts = m.spare[0];
            int[] values = m.spare[1];
            int[] ends = m.spare[2];
            for (int k = 0; k < m.n; k++) {
                int i = m.order[k];
                if (k > 0) {
                    out[len++] = ',';
                }
                int length = m.outEnd[i] - m.outStart[i];
                starts[k] = len;
                values[k] = len + (m.valueStart[i] - m.outStart[i]);
                System.arraycopy(scratch, m.outStart[i] - from, out, len, length);
                len += length;
                ends[k] = len;
            }
            int[] keyStarts = m.spare[3];
            int[] keyEnds = m.spare[4];
            for (int k = 0; k < m.n; k++) {
                keyStarts[k] = m.keyStart[m.order[k]];
                keyEnds[k] = m.keyEnd[m.order[k]];
            }
            System.arraycopy(keyStarts, 0, m.keyStart, 0, m.n);
            System.arraycopy(keyEnds, 0, m.keyEnd, 0, m.n);
            System.arraycopy(starts, 0, m.outStart, 0, m.n);
            System.arraycopy(values, 0, m.valueStart, 0, m.n);
            System.arraycopy(ends, 0, m.outEnd, 0, m.n);
        }
        put((byte) '}');
        if (depth == rootDepth) {
            root = m;
        }
        return p;
    }

    /** Compares two ASCII keys of the input, as unsigned bytes. */
    private static int compare(byte[] in, int as, int ae, int bs, int be) {
        int n = Math.min(ae - as, be - bs);
        for (int i = 0; i < n; i++) {
            int d = (in[as + i] & 0xFF) - (in[bs + i] & 0xFF);
            if (d != 0) {
                return d;
            }
        }
        return (ae - as) - (be - bs);
    }

    /** Orders {@code m.order} by key (bytes of ASCII keys: the code-unit order of the tree's sorted map); refuses duplicates. */
    private static void sort(Members m, byte[] in) {
        if (m.n <= 32) {
            int[] o = m.order;
            for (int i = 1; i < m.n; i++) {
                int x = o[i];
                int j = i - 1;
                while (j >= 0 && compare(in, m.keyStart[o[j]], m.keyEnd[o[j]], m.keyStart[x], m.keyEnd[x]) > 0) {
                    o[j + 1] = o[j];
                    j--;
                }
                o[j + 1] = x;
            }
            for (int i = 1; i < m.n; i++) {
                if (compare(in, m.keyStart[o[i - 1]], m.keyEnd[o[i - 1]], m.keyStart[o[i]], m.keyEnd[o[i]]) == 0) {
                    throw UNSUPPORTED;
                }
            }
            return;
        }
        Integer[] boxed = new Integer[m.n];
        for (int i = 0; i < m.n; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> compare(in, m.keyStart[a], m.keyEnd[a], m.keyStart[b], m.keyEnd[b]));
        for (int i = 0; i < m.n; i++) {
            m.order[i] = boxed[i];
            if (i > 0 && Arrays.equals(in, m.keyStart[boxed[i - 1]], m.keyEnd[boxed[i - 1]], in, m.keyStart[boxed[i]], m.keyEnd[boxed[i]])) {
                throw UNSUPPORTED;
            }
        }
    }

    private int string(byte[] in, int p, int end) {
        put((byte) '"');
        p++;
        while (true) {
            int run = p;
            p = plain(in, p, end);
            while (p < end) {
                byte b = in[p];
                if (b == '"' || b == '\\' || (b >= 0 && b < 0x20)) {
                    break;
                }
                if (b < 0) {
                    p = utf8(in, p, end);
                } else {
                    p++;
                }
            }
            ensure(p - run + 8);
            System.arraycopy(in, run, out, len, p - run);
            len += p - run;
            if (p >= end) {
                throw UNSUPPORTED;
            }
            byte b = in[p];
            if (b == '"') {
                out[len++] = '"';
                return p + 1;
            }
            if (b != '\\' || p + 1 >= end) {
                throw UNSUPPORTED; // a raw control character: not JSON
            }
            byte e = in[p + 1];
            p += 2;
            switch (e) {
                case '"' -> {
                    out[len++] = '\\';
                    out[len++] = '"';
                }
                case '\\' -> {
                    out[len++] = '\\';
                    out[len++] = '\\';
                }
                case '/' -> out[len++] = '/';
                case 'b' -> control(8);
                case 'f' -> control(12);
                case 'n' -> control('\n');
                case 'r' -> control('\r');
                case 't' -> control('\t');
                case 'u' -> {
                    if (p + 4 > end) {
                        throw UNSUPPORTED;
                    }
                    int c = (hex(in[p]) << 12) | (hex(in[p + 1]) << 8) | (hex(in[p + 2]) << 4) | hex(in[p + 3]);
                    p += 4;
                    if (c < 0x20) {
                        control(c);
                    } else if (c == '"' || c == '\\') {
                        out[len++] = '\\';
                        out[len++] = (byte) c;
                    } else if (c < 0x80) {
                        out[len++] = (byte) c;
                    } else if (c < 0x800) {
                        out[len++] = (byte) (0xC0 | (c >> 6));
                        out[len++] = (byte) (0x80 | (c & 0x3F));
                    } else if (c >= 0xD800 && c <= 0xDFFF) {
                        throw UNSUPPORTED; // surrogate escapes: the tree's route
                    } else {
                        out[len++] = (byte) (0xE0 | (c >> 12));
                        out[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                        out[len++] = (byte) (0x80 | (c & 0x3F));
                    }
                }
                default -> throw UNSUPPORTED;
            }
        }
    }

    /** A character below U+0020 as DecisionChain escapes it (U+0000 cannot be stored: the tree's route refuses it). */
    private void control(int c) {
        switch (c) {
            case 0 -> throw UNSUPPORTED;
            case '\n' -> {
                out[len++] = '\\';
                out[len++] = 'n';
            }
            case '\r' -> {
                out[len++] = '\\';
                out[len++] = 'r';
            }
            case '\t' -> {
                out[len++] = '\\';
                out[len++] = 't';
            }
            default -> {
                out[len++] = '\\';
                out[len++] = 'u';
                out[len++] = '0';
                out[len++] = '0';
                out[len++] = HEX[c >> 4];
                out[len++] = HEX[c & 15];
            }
        }
    }

    /** The string's bytes (no quotes) escaped as DecisionChain escapes them; raw text, so backslashes and quotes are characters. */
    private void rawString(byte[] in, int p, int end) {
        while (p < end) {
            int run = p;
            while (p < end) {
                byte b = in[p];
                if (b == '"' || b == '\\' || (b >= 0 && b < 0x20)) {
                    break;
                }
                p = b < 0 ? utf8(in, p, end) : p + 1;
            }
            ensure(p - run + 8);
            System.arraycopy(in, run, out, len, p - run);
            len += p - run;
            if (p < end) {
                byte b = in[p++];
                if (b == '"' || b == '\\') {
                    out[len++] = '\\';
                    out[len++] = b;
                } else {
                    control(b);
                }
            }
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        throw UNSUPPORTED;
    }

    /** The offset after the well-formed UTF-8 sequence at {@code p} (no surrogates, no overlong forms, at most U+10FFFF). */
    private static int utf8(byte[] in, int p, int end) {
        int lead = in[p] & 0xFF;
        int count;
        int min = 0x80;
        int max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            count = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            count = 2;
            if (lead == 0xE0) {
                min = 0xA0;
            } else if (lead == 0xED) {
                max = 0x9F;
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            count = 3;
            if (lead == 0xF0) {
                min = 0x90;
            } else if (lead == 0xF4) {
                max = 0x8F;
            }
        } else {
            throw UNSUPPORTED;
        }
        if (p + count >= end) {
            throw UNSUPPORTED;
        }
        int second = in[p + 1] & 0xFF;
        if (second < min || second > max) {
            throw UNSUPPORTED;
        }
        for (int i = 2; i <= count; i++) {
            int c = in[p + i] & 0xFF;
            if (c < 0x80 || c > 0xBF) {
                throw UNSUPPORTED;
            }
        }
        return p + count + 1;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The offset of the first byte in {@code in[p, end)} that is not plain string content (a quote, a
     * backslash, a control character or a non-ASCII byte), or a little before it: eight bytes a step.
     * The caller then goes byte by byte from there.
     */
    private static int plain(byte[] in, int p, int end) {
        for (; p + 8 <= end; p += 8) {
            long x = (long) LONGS.get(in, p);
            long quote = x ^ 0x2222222222222222L;
            long backslash = x ^ 0x5C5C5C5C5C5C5C5CL;
            long special = ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) | (x - 0x2020202020202020L) | x;
            if ((special & HIGHS) != 0) {
                break;
            }
        }
        return p;
    }

    private static int skip(byte[] in, int p, int end) {
        while (p < end) {
            byte b = in[p];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                break;
            }
            p++;
        }
        return p;
    }

    private void put(byte b) {
        ensure(1);
        out[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > out.length) {
            out = Arrays.copyOf(out, Math.max(len + more, out.length * 2));
        }
    }
}
