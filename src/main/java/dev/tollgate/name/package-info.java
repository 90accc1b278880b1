/** The {@link dev.tollgate.name.ResourceName} value: the one rule for the names of policies, trust material, tokens and policy sources. */
package dev.tollgate.name;
