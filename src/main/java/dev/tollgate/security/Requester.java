package dev.tollgate.security;

import java.util.Set;

/**
 * Who is calling: the authenticated token's name and roles. Controllers take it as a method
 * parameter; it is never built from anything the caller says about itself.
 */
public record Requester(String name, Set<Role> roles) {

    public Requester {
        roles = Set.copyOf(roles);
    }
}
