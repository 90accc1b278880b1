/**
 * The compiled policy and what one evaluation answers ({@code Program}, {@code Input},
 * {@code PolicyResult}, {@code RuleResult}, {@code Mode}, {@code Outcome}): the policy module's
 * named interface for deciding modules and tools. Its evaluation nodes are used only inside it.
 */
@NamedInterface("eval")
package dev.tollgate.policy.eval;

import org.springframework.modulith.NamedInterface;
