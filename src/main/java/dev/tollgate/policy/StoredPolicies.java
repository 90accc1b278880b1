package dev.tollgate.policy;

import java.util.List;
import java.util.Optional;

import jakarta.persistence.LockModeType;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface StoredPolicies extends JpaRepository<StoredPolicy, String> {

    @Modifying
    @Query(value = "INSERT INTO policy (name, created_at, updated_at) VALUES (:name, now(), now()) ON CONFLICT DO NOTHING",
            nativeQuery = true)
    void createIfMissing(String name);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("SELECT p FROM StoredPolicy p WHERE p.name = :name")
    Optional<StoredPolicy> lock(String name);

    List<StoredPolicy> findByActiveVersionIsNotNullOrderByNameAsc();
}
