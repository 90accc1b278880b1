package dev.tollgate.web;

import java.util.List;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The one {@code ObjectMapper} of the application, strict: Boot builds it from this builder (so
 * {@code spring.jackson.*} properties and every {@link JsonMapperBuilderCustomizer} still apply, after these
 * defaults). A builder rather than a customizer because the parse limits and the UTF-8 and surrogate checks
 * live in the stream factory, which a customizer cannot replace.
 * <ul>
 * <li>duplicate property names, trailing content after the value and unknown properties of bound records are
 * errors;</li>
 * <li>no scalar coercion: a number or boolean is never read as a string, a string never as a number or
 * boolean, a fraction never as a whole number, a number never as an enum;</li>
 * <li>bounded parses ({@link JsonProperties}); strict UTF-8, no lone surrogates ({@link StrictJsonFactory}).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class StrictJsonConfiguration {

    @Bean
    @Scope("prototype")
    JsonMapper.Builder jsonMapperBuilder(JsonProperties limits, List<JsonMapperBuilderCustomizer> customizers) {
        JsonMapper.Builder builder = strictBuilder(limits);
        customizers.forEach(customizer -> customizer.customize(builder));
        return builder;
    }

    /** The same strict mapper outside Spring (the command line), with the default limits. */
    public static JsonMapper standalone() {
        return strictBuilder(new JsonProperties(200_000, 128, 4_194_304, 8192, 64)).build();
    }

    private static JsonMapper.Builder strictBuilder(JsonProperties limits) {
        JsonMapper.Builder builder = JsonMapper.builder(factory(limits))
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            builder.withCoercionConfig(type, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail));
        }
        builder.withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail));
        builder.withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail));
        return builder;
    }

    static JsonFactory factory(JsonProperties limits) {
        return new StrictJsonFactory(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxTokenCount(limits.maxTokens()).maxNestingDepth(limits.maxDepth())
                .maxStringLength(limits.maxStringLength()).maxNameLength(limits.maxNameLength())
                .maxNumberLength(limits.maxNumberLength()).build()));
    }
}
