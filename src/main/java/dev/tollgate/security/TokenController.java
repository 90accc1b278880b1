package dev.tollgate.security;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/tokens")
class TokenController {

    private final Tokens tokens;

    TokenController(Tokens tokens) {
        this.tokens = tokens;
    }

    record CreateToken(String name, List<String> roles) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Tokens.IssuedToken create(@RequestBody CreateToken request, Requester requester) {
        return tokens.issue(request.name(), request.roles(), requester.name());
    }

    @GetMapping
    Map<String, List<Tokens.TokenInfo>> list() {
        return Map.of("items", tokens.list());
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String name, Requester requester) {
        tokens.revoke(name, requester.name());
    }
}
