package dev.tollgate.web;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Content-Type checks done inside handlers and by {@link BodyContentTypeInterceptor}, after the role
 * check, so that a caller without the role learns nothing from a 415.
 */
public final class ContentTypes {

    private ContentTypes() {
    }

    /**
     * @throws ApiException 415 unless {@code header} is one of {@code accepted} (the same type and subtype);
     *                      {@code application/json} takes no parameter but {@code charset=utf-8} (RFC 8259),
     *                      other types any parameters
     */
    public static void require(String header, MediaType... accepted) {
        MediaType given = parse(header);
        if (given == null || Arrays.stream(accepted).noneMatch(a -> acceptable(a, given))) {
            throw new ApiException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "send " + String.join(" or ",
                    Arrays.stream(accepted).map(MediaType::toString).toList()));
        }
    }

    /** The one concrete media type the header names, or null when it is missing, malformed or a wildcard. */
    static MediaType parse(String header) {
        if (header == null) {
            return null;
        }
        try {
            MediaType type = MediaType.parseMediaType(header);
            return type.isWildcardType() || type.isWildcardSubtype() ? null : type;
        } catch (InvalidMediaTypeException e) {
            return null;
        }
    }

    private static boolean acceptable(MediaType accepted, MediaType given) {
        if (!accepted.getType().equalsIgnoreCase(given.getType()) || !accepted.getSubtype().equalsIgnoreCase(given.getSubtype())) {
            return false;
        }
        if (!MediaType.APPLICATION_JSON.equalsTypeAndSubtype(accepted)) {
            return true;
        }
        Charset charset = given.getCharset();
        return given.getParameters().keySet().stream().allMatch("charset"::equalsIgnoreCase)
                && (charset == null || charset.equals(StandardCharsets.UTF_8));
    }
}
