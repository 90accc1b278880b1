package dev.tollgate.policy;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param maxSourceBytes      largest policy source accepted (larger: 413)
 * @param compiledCacheSize   how many compiled policy versions are kept in memory
 * @param activeCache         how long which version is active is remembered (changes through other replicas)
 * @param compileTimeout      longest compilation of an upload, a validation or a playground source (longer: 422
 *                            {@code policy_compile_timeout}, nothing stored)
 * @param maxSteps            most steps one evaluation of one policy may take (more: its rules fail, it denies)
 * @param evalTimeout         longest time one evaluation of one policy may take (longer: likewise)
 */
@ConfigurationProperties("tollgate.policy")
record PolicyProperties(@DefaultValue("262144") int maxSourceBytes, @DefaultValue("1024") int compiledCacheSize,
        @DefaultValue("1s") Duration activeCache, @DefaultValue("2s") Duration compileTimeout,
        @DefaultValue("10000000") long maxSteps, @DefaultValue("250ms") Duration evalTimeout) {

    dev.tollgate.policy.compile.PolicyCompiler.Limits limits() {
        return new dev.tollgate.policy.compile.PolicyCompiler.Limits(maxSourceBytes, compileTimeout,
                new dev.tollgate.policy.eval.Budget.Limits(maxSteps, evalTimeout));
    }
}
