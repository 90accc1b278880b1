/**
 * In-toto statements and SLSA provenance facts, as verified evidence carries them: a named
 * interface of the evidence module. ({@code evidence.sigstore}, with every sigstore-java type,
 * stays inside the module.)
 */
@NamedInterface("intoto")
package dev.tollgate.evidence.intoto;

import org.springframework.modulith.NamedInterface;
