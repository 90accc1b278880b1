package dev.tollgate.web;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

import com.google.re2j.Pattern;

/**
 * An RFC 3339 {@code date-time} given in a query parameter ({@code since}, {@code until},
 * {@code validFrom}, ...): four-digit years only (java.time also reads {@code +999999999-…}, which
 * RFC 3339 does not allow and PostgreSQL cannot store), an offset required. Anything else is 400.
 */
public final class Rfc3339 {

    private static final Pattern SHAPE = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    private Rfc3339() {
    }

    /** The instant, null when {@code text} is null; a 400 problem naming {@code parameter} otherwise. */
    public static Instant parameter(String text, String parameter) {
        if (text == null) {
            return null;
        }
        if (!SHAPE.matches(text)) {
            throw ApiException.badRequest(parameter + " must be an RFC 3339 date-time with an offset, such as 2026-01-01T00:00:00Z");
        }
        try {
            return OffsetDateTime.parse(text.toUpperCase(java.util.Locale.ROOT)).toInstant();
        } catch (DateTimeException e) {
            throw ApiException.badRequest(parameter + " is not a valid date-time: " + text);
        }
    }
}
