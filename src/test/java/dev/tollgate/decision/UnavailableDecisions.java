package dev.tollgate.decision;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decision service that makes no decisions, for tests of its callers' reading of requests
 * (the fuzz tests): every decision fails as if the audit store were down, no tag resolves.
 */
public class UnavailableDecisions extends DecisionService {

    private final AtomicInteger asked = new AtomicInteger();

    public UnavailableDecisions() {
        super(null, null, null, null, null, java.time.Clock.systemUTC(), null, null, null, null);
    }

    /** How many times decisions were asked for. */
    public int asked() {
        return asked.get();
    }

    @Override
    public Optional<ArtifactRef> resolveTag(String name, String tag) {
        return Optional.empty();
    }

    @Override
    public List<Decision> decideAll(List<DecisionRequest> requests, Origin origin) {
        asked.incrementAndGet();
        throw new IllegalStateException("no decision service in this test");
    }
}
