package dev.tollgate.decision;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decisions that are never made, for tests of their callers' reading of requests (the fuzz
 * tests): every decision fails as if by an internal fault, no tag resolves.
 */
public class UnavailableDecisions implements Decisions {

    private final AtomicInteger asked = new AtomicInteger();

    /** How many times decisions were asked for. */
    public int asked() {
        return asked.get();
    }

    @Override
    public Optional<ArtifactRef> resolveTag(String name, String tag) {
        return Optional.empty();
    }

    @Override
    public List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin) {
        asked.incrementAndGet();
        throw new IllegalStateException("no decision service in this test");
    }

    @Override
    public List<UUID> recordExempt(List<Exemption> images, Map<String, String> context, String reason, Origin origin) {
        asked.incrementAndGet();
        throw new IllegalStateException("no decision service in this test");
    }
}
