package dev.tollgate.policy;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface PolicyRevisions extends JpaRepository<PolicyRevision, PolicyRevision.Key> {

    Optional<PolicyRevision> findByPolicyNameAndVersion(String policyName, int version);

    List<PolicyRevision> findByPolicyNameOrderByVersionAsc(String policyName);

    @Query("SELECT coalesce(max(r.version), 0) FROM PolicyRevision r WHERE r.policyName = :name")
    int maxVersion(String name);

    /** The active version of every active policy, by name. */
    @Query("SELECT r FROM PolicyRevision r, StoredPolicy p WHERE p.name = r.policyName AND p.activeVersion = r.version"
            + " ORDER BY r.policyName")
    List<PolicyRevision> findActive();
}
