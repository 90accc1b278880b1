package dev.tollgate.decision;

import dev.tollgate.digest.Digest;

/**
 * An artifact as decisions name it: a digest ({@code sha256:} and 64 lowercase hex digits, or
 * {@code sha512:} and 128, as npm's {@code integrity} is), and
 * the name and tag the caller wrote. A reference {@code name[:tag]@sha256:…} is split without
 * any registry defaulting ({@code nginx@sha256:…} has name {@code nginx}).
 */
public record ArtifactRef(String digest, String name, String tag) {

    /** Longest name, tag or reference. */
    public static final int MAX_LENGTH = 1024;

    /** Every artifact, however it was made, has a valid digest and storable name and tag. */
    public ArtifactRef {
        if (!Digest.isWritten(digest)) {
            throw new InvalidDecisionRequest("artifact.digest must be " + Digest.FORM);
        }
        InvalidDecisionRequest.checked(name, "artifact.name", MAX_LENGTH);
        InvalidDecisionRequest.checked(tag, "artifact.tag", MAX_LENGTH);
    }

    /** Not a usable reference; the message says why. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses {@code name[:tag]@sha256:<hex>}; a reference without a digest is refused (mutable). */
    public static ArtifactRef parse(String ref) throws Invalid {
        if (ref == null || ref.isBlank() || ref.length() > MAX_LENGTH || ref.chars().anyMatch(Character::isWhitespace)) {
            throw new Invalid("a reference is name[:tag]@sha256:<64 hex digits>");
        }
        int at = ref.indexOf('@');
        if (at < 0) {
            throw new Invalid("the reference '" + ref + "' has no digest: pin it by digest (name@sha256:…); tags are mutable");
        }
        String digest = ref.substring(at + 1);
        if (!Digest.isWritten(digest)) {
            throw new Invalid("the reference's digest must be " + Digest.FORM);
        }
        String named = ref.substring(0, at);
        String tag = null;
        int slash = named.lastIndexOf('/');
        int colon = named.lastIndexOf(':');
        if (colon > slash) {
            tag = named.substring(colon + 1);
            named = named.substring(0, colon);
            if (tag.isEmpty()) {
                throw new Invalid("the reference has an empty tag");
            }
        }
        if (named.isEmpty()) {
            throw new Invalid("the reference has no name");
        }
        try {
            return new ArtifactRef(digest, named, tag);
        } catch (InvalidDecisionRequest e) {
            throw new Invalid("the reference is not usable: " + e.getMessage());
        }
    }
}
