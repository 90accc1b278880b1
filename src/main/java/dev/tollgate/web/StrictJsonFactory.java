package dev.tollgate.web;

import java.io.DataInput;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.SerializableString;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.io.IOContext;
import tools.jackson.core.io.InputDecorator;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonFactoryBuilder;
import tools.jackson.core.sym.PropertyNameMatcher;
import tools.jackson.core.util.JsonParserDelegate;

/**
 * Jackson's JSON factory with the two checks Jackson does not make itself, so that every string a
 * handler, a policy or the audit record sees is exactly the text the client sent:
 * <ul>
 * <li>byte input must be well-formed UTF-8 (RFC 8259 §8.1): no overlong forms, no encoded surrogates,
 * nothing above U+10FFFF, no NUL byte (which also refuses UTF-16 and UTF-32, that Jackson would otherwise
 * detect and accept);</li>
 * <li>no string or property name may hold a lone UTF-16 surrogate, also not one written as a
 * {@code \}{@code ud800} escape — PostgreSQL would store it as {@code ?}.</li>
 * </ul>
 */
final class StrictJsonFactory extends JsonFactory {

    private static final long serialVersionUID = 1L;

    StrictJsonFactory(JsonFactoryBuilder builder) {
        super(builder.inputDecorator(new Utf8Decorator()));
    }

    private StrictJsonFactory(StrictJsonFactory source) {
        super(source);
    }

    @Override
    public JsonFactory copy() {
        return new StrictJsonFactory(this);
    }

    @Override
    public JsonFactoryBuilder rebuild() {
        return new JsonFactoryBuilder(this) {
            @Override
            public JsonFactory build() {
                return new StrictJsonFactory(this);
            }
        };
    }

    @Override
    protected JsonParser _createParser(ObjectReadContext read, IOContext io, InputStream in) throws JacksonException {
        return new StrictParser(super._createParser(read, io, in));
    }

    @Override
    protected JsonParser _createParser(ObjectReadContext read, IOContext io, Reader in) throws JacksonException {
        return new StrictParser(super._createParser(read, io, in));
    }

    @Override
    protected JsonParser _createParser(ObjectReadContext read, IOContext io, char[] data, int offset, int length,
            boolean recyclable) throws JacksonException {
        return new StrictParser(super._createParser(read, io, data, offset, length, recyclable));
    }

    @Override
    protected JsonParser _createParser(ObjectReadContext read, IOContext io, byte[] data, int offset, int length)
            throws JacksonException {
        return new StrictParser(super._createParser(read, io, data, offset, length));
    }

    @Override
    protected JsonParser _createParser(ObjectReadContext read, IOContext io, DataInput in) throws JacksonException {
        return new StrictParser(super._createParser(read, io, in));
    }

    /** Whether the text holds an unpaired surrogate. */
    static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Checks every string value and property name as the parser reaches it. */
    private static final class StrictParser extends JsonParserDelegate {

        StrictParser(JsonParser delegate) {
            super(delegate);
        }

        @Override
        public JsonToken nextToken() throws JacksonException {
            return checked(delegate.nextToken());
        }

        @Override
        public JsonToken nextValue() throws JacksonException {
            return checked(delegate.nextValue());
        }

        @Override
        public String nextName() throws JacksonException {
            String name = delegate.nextName();
            checked(delegate.currentToken());
            return name;
        }

        @Override
        public boolean nextName(SerializableString name) throws JacksonException {
            boolean matched = delegate.nextName(name);
            checked(delegate.currentToken());
            return matched;
        }

        @Override
        public int nextNameMatch(PropertyNameMatcher matcher) throws JacksonException {
            int match = delegate.nextNameMatch(matcher);
            checked(delegate.currentToken());
            return match;
        }

        private JsonToken checked(JsonToken token) {
            if (token == JsonToken.VALUE_STRING && hasLoneSurrogate(delegate.getString())) {
                throw new StreamReadException(this, "a string holds an unpaired UTF-16 surrogate");
            }
            if (token == JsonToken.PROPERTY_NAME && hasLoneSurrogate(delegate.currentName())) {
                throw new StreamReadException(this, "a property name holds an unpaired UTF-16 surrogate");
            }
            return token;
        }
    }

    /** Byte input passes through a strict UTF-8 check on its way to the parser. */
    private static final class Utf8Decorator extends InputDecorator {

        private static final long serialVersionUID = 1L;

        @Override
        public InputStream decorate(IOContext context, InputStream in) {
            return new Utf8CheckedStream(in);
        }

        @Override
        public InputStream decorate(IOContext context, byte[] data, int offset, int length) throws JacksonException {
            try {
                Utf8Check check = new Utf8Check();
                check.feed(data, offset, length);
                check.end();
            } catch (IOException e) {
                throw JacksonIOException.construct(e);
            }
            return null; // checked: the parser reads the array itself
        }

        @Override
        public Reader decorate(IOContext context, Reader in) {
            return in; // already characters: the parser checks for surrogates
        }
    }

    /** Thrown when JSON bytes are not well-formed UTF-8. */
    static final class NotUtf8Exception extends CharacterCodingException {
        private static final long serialVersionUID = 1L;
        private final String message;

        NotUtf8Exception(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    /**
     * An incremental UTF-8 well-formedness check (the JDK's decoder, reporting instead of replacing).
     * The bytes are decoded where they lie, into a small scratch buffer that is thrown away; only an
     * incomplete sequence at the end of a chunk (at most three bytes) is carried to the next.
     */
    private static final class Utf8Check {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer carry = ByteBuffer.allocate(8);
        private final CharBuffer scratch = CharBuffer.allocate(256);

        void feed(byte[] data, int offset, int length) throws NotUtf8Exception {
            int end = offset + length;
            for (int i = offset; i < end; i++) {
                if (data[i] == 0) {
                    throw new NotUtf8Exception("JSON text holds a NUL byte (it must be UTF-8)");
                }
            }
            ByteBuffer in = ByteBuffer.wrap(data, offset, length);
            while (carry.position() > 0 && in.hasRemaining()) {
                // complete the carried sequence one byte at a time
                carry.put(in.get());
                carry.flip();
                decode(carry, false);
                carry.compact();
            }
            if (carry.position() > 0) {
                return;
            }
            decode(in, false);
            carry.put(in); // an incomplete sequence: fewer than four bytes
        }

        void end() throws NotUtf8Exception {
            carry.flip();
            decode(carry, true);
            scratch.clear();
            if (decoder.flush(scratch).isError()) {
                throw new NotUtf8Exception("JSON text is not well-formed UTF-8");
            }
        }

        private void decode(ByteBuffer bytes, boolean last) throws NotUtf8Exception {
            while (true) {
                scratch.clear();
                CoderResult result = decoder.decode(bytes, scratch, last);
                if (result.isError()) {
                    throw new NotUtf8Exception("JSON text is not well-formed UTF-8");
                }
                if (result.isUnderflow()) {
                    return;
                }
            }
        }
    }

    private static final class Utf8CheckedStream extends FilterInputStream {
        private final Utf8Check check = new Utf8Check();
        private boolean ended;

        Utf8CheckedStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                check.feed(buffer, offset, n);
            } else if (n < 0 && !ended) {
                ended = true;
                check.end();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] discard = new byte[(int) Math.min(n, 8192)];
            int read = read(discard, 0, discard.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
