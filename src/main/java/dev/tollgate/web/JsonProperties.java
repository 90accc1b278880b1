package dev.tollgate.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of every JSON parse by the application's one {@code ObjectMapper} (Jackson's
 * {@code StreamReadConstraints}); a document beyond any of them is refused as malformed (400 for a
 * request body). The defaults and their margins over the largest real inputs are in docs/security.md.
 *
 * @param maxTokens         JSON tokens in one document (each value, name, and start or end of an object or array)
 * @param maxDepth          nesting depth of objects and arrays
 * @param maxStringLength   characters in one string value
 * @param maxNameLength     characters in one property name
 * @param maxNumberLength   characters in one number
 */
@ConfigurationProperties("tollgate.json")
record JsonProperties(@DefaultValue("200000") long maxTokens, @DefaultValue("128") int maxDepth,
        @DefaultValue("4194304") int maxStringLength, @DefaultValue("8192") int maxNameLength,
        @DefaultValue("64") int maxNumberLength) {
}
