/**
 * The checker and compiler: source to {@code Program} with diagnostics. A named interface of the
 * policy module, for tools that compile a policy outside the server.
 */
@NamedInterface("compile")
package dev.tollgate.policy.compile;

import org.springframework.modulith.NamedInterface;
