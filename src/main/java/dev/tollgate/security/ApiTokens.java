package dev.tollgate.security;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

interface ApiTokens extends JpaRepository<ApiToken, String> {

    Optional<ApiToken> findBySecretSha256(String secretSha256);

    List<ApiToken> findAllByOrderByNameAsc();

    List<ApiToken> findBySecretKdfIsNotNullAndRevokedAtIsNull();

    long countByRevokedAtIsNull();
}
