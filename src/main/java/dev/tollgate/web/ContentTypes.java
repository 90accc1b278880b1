package dev.tollgate.web;

import java.util.Arrays;

import org.springframework.http.MediaType;
import org.springframework.util.InvalidMimeTypeException;

/**
 * Content-Type checks done inside handlers, after the role check, so that a caller without the
 * role learns nothing from a 415.
 */
public final class ContentTypes {

    private ContentTypes() {
    }

    /** @throws ApiException 415 unless {@code header} is one of {@code accepted} (parameters ignored) */
    public static void require(String header, MediaType... accepted) {
        MediaType given;
        try {
            given = header == null ? null : MediaType.parseMediaType(header);
        } catch (InvalidMimeTypeException e) {
            given = null;
        }
        MediaType type = given;
        if (type == null || type.isWildcardType() || type.isWildcardSubtype()
                || Arrays.stream(accepted).noneMatch(a -> a.isCompatibleWith(type))) {
            throw new ApiException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "send " + String.join(" or ",
                    Arrays.stream(accepted).map(MediaType::toString).toList()));
        }
    }
}
