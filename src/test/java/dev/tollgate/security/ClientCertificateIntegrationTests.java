package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestCertificates;
import jakarta.servlet.Filter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The admission webhook may be called with a client certificate (verified by the TLS layer, which
 * puts it in the request attribute) instead of a token: through Spring Security's own filter chain,
 * a configured subject reaches {@code /v1/admission} and nothing else; other subjects reach nothing.
 */
class ClientCertificateIntegrationTests extends IntegrationTest {

    @Autowired
    @Qualifier("springSecurityFilterChain")
    Filter security;

    private record Outcome(int status, Requester requester) {
    }

    private Outcome call(String method, String path, X509Certificate certificate) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setServletPath(path);
        if (certificate != null) {
            request.setAttribute("jakarta.servlet.request.X509Certificate", new X509Certificate[] {certificate});
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicReference<Requester> reached = new AtomicReference<>();
        security.doFilter(request, response, (req, res) -> reached.set(Requesters.current().orElse(null)));
        return new Outcome(reached.get() != null ? 200 : response.getStatus(), reached.get());
    }

    @Test
    void aConfiguredSubjectDecidesAdmissionReviewsAndNothingElse() throws Exception {
        X509Certificate client = TestCertificates.selfSigned(TestCertificates.ADMISSION_CLIENT);
        Outcome admission = call("POST", "/v1/admission", client);
        assertThat(admission.status()).isEqualTo(200);
        assertThat(admission.requester().name()).isEqualTo("certificate:CN=kube-apiserver-test,O=tollgate-tests");
        assertThat(admission.requester().roles()).containsExactly(Role.DECIDER);

        assertThat(call("POST", "/v1/decisions", client).status()).isEqualTo(403);
        assertThat(call("GET", "/v1/decisions", client).status()).isEqualTo(403);
        assertThat(call("DELETE", "/v1/tokens/x", client).status()).isEqualTo(403);
        assertThat(call("GET", "/v1/admission", client).status()).isEqualTo(403);
    }

    @Test
    void otherSubjectsAndMissingCertificatesAuthenticateNothing() throws Exception {
        X509Certificate stranger = TestCertificates.selfSigned("CN=kube-apiserver-test,O=someone-else");
        assertThat(call("POST", "/v1/admission", stranger).status()).isEqualTo(401);
        assertThat(call("POST", "/v1/admission", null).status()).isEqualTo(401);
        X509Certificate lookalike = TestCertificates.selfSigned("CN=kube-apiserver-test,O=tollgate-tests,OU=x");
        assertThat(call("POST", "/v1/admission", lookalike).status()).isEqualTo(401);
    }
}
