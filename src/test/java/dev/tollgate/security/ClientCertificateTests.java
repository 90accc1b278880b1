package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.json.JsonMapper;

/** The admission webhook may be called with a client certificate (verified by TLS) instead of a token. */
class ClientCertificateTests {

    static X509Certificate certificate() throws Exception {
        var bundle = JsonMapper.builder().build().readTree(Files.readString(
                Path.of("src/test/resources/sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json")));
        byte[] der = Base64.getDecoder().decode(bundle.get("verificationMaterial").get("certificate").get("rawBytes").asString());
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static TokenAuthenticationFilter filter(List<String> subjects) {
        return new TokenAuthenticationFilter(null, null, new SecurityProperties(null, subjects));
    }

    private static MockHttpServletRequest request(String path, X509Certificate certificate) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
        request.setAttribute("jakarta.servlet.request.X509Certificate", new X509Certificate[] {certificate});
        return request;
    }

    @Test
    void aConfiguredSubjectIsADeciderOnTheAdmissionPathOnly() throws Exception {
        X509Certificate certificate = certificate();
        String subject = certificate.getSubjectX500Principal().getName();
        TokenAuthenticationFilter filter = filter(List.of(subject.isEmpty() ? "CN=unused" : subject));
        var requester = filter.byClientCertificate(request("/v1/admission", certificate));
        if (!subject.isEmpty()) {
            assertThat(requester).hasValueSatisfying(r -> {
                assertThat(r.roles()).containsExactly(Role.DECIDER);
                assertThat(r.name()).startsWith("certificate:");
            });
        }
        assertThat(filter.byClientCertificate(request("/v1/decisions", certificate))).isEmpty();
    }

    @Test
    void unknownSubjectsAndMissingCertificatesAreNotAuthenticated() throws Exception {
        X509Certificate certificate = certificate();
        assertThat(filter(List.of("CN=kube-apiserver,O=acme")).byClientCertificate(request("/v1/admission", certificate))).isEmpty();
        assertThat(filter(List.of()).byClientCertificate(request("/v1/admission", certificate))).isEmpty();
        assertThat(filter(List.of("CN=x")).byClientCertificate(new MockHttpServletRequest("POST", "/v1/admission"))).isEmpty();
    }
}
