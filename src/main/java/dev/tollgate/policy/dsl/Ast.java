package dev.tollgate.policy.dsl;

import java.util.List;

/**
 * The policy as written: records with source spans, produced by {@link PolicyParser} and read by
 * the compiler. Strings keep their raw source text (quotes and escapes) so that the compiler can
 * check escapes and point at the opening quote.
 */
public final class Ast {

    private Ast() {
    }

    public record Policy(String rawName, Span nameSpan, String rawDescription, Span descriptionSpan,
            String mode, Expr applies, List<Let> lets, List<Rule> rules, List<Level> levels) {

        public Policy(String rawName, Span nameSpan, String rawDescription, Span descriptionSpan, String mode, Expr applies,
                List<Let> lets, List<Rule> rules) {
            this(rawName, nameSpan, rawDescription, descriptionSpan, mode, applies, lets, rules, List.of());
        }
    }

    /** One level of a {@code levels} declaration, as written (a string literal). */
    public record Level(String raw, Span span) {
    }

    public record Let(String name, Span keywordSpan, Span nameSpan, boolean nameIsKeyword, Expr value) {
    }

    /** {@code rawEffective} (with {@code effectiveSpan}): the raw string of {@code effective "<time>"}, or null. */
    public record Rule(String name, Span keywordSpan, Span nameSpan, boolean denyIf, Expr condition,
            String rawMessage, Span messageSpan, String rawEffective, Span effectiveSpan) {

        public Rule(String name, Span keywordSpan, Span nameSpan, boolean denyIf, Expr condition, String rawMessage,
                Span messageSpan) {
            this(name, keywordSpan, nameSpan, denyIf, condition, rawMessage, messageSpan, null, null);
        }
    }

    /** An expression node; {@link #text()} is its source, whitespace and comments collapsed. */
    public sealed interface Expr permits StringLit, NumberLit, DurationLit, BadNumberLit, BoolLit, NullLit, ListLit,
            Name, Call, CountForm, Quantifier, Field, Index, Not, Binary, Group {
        Span span();

        SourceRange range();

        default String text() {
            return range().text();
        }
    }

    public record StringLit(Span span, SourceRange range, String raw) implements Expr {
    }

    public record NumberLit(Span span, SourceRange range, String literal) implements Expr {
    }

    public record DurationLit(Span span, SourceRange range, String literal) implements Expr {
    }

    public record BadNumberLit(Span span, SourceRange range, String literal) implements Expr {
    }

    public record BoolLit(Span span, SourceRange range, boolean value) implements Expr {
    }

    public record NullLit(Span span, SourceRange range) implements Expr {
    }

    public record ListLit(Span span, SourceRange range, List<Expr> elements) implements Expr {
    }

    public record Name(Span span, SourceRange range, String name) implements Expr {
    }

    public record Call(Span span, SourceRange range, String function, List<Expr> arguments) implements Expr {
    }

    /** {@code count(x in L: E)}. */
    public record CountForm(Span span, SourceRange range, String variable, Span variableSpan, Expr list, Expr body)
            implements Expr {
    }

    /** {@code any x in L: E} or {@code all x in L: E}. */
    public record Quantifier(Span span, SourceRange range, boolean all, String variable, Span variableSpan, Expr list,
            Expr body) implements Expr {
    }

    public record Field(Span span, SourceRange range, Expr target, String field, Span fieldSpan) implements Expr {
    }

    public record Index(Span span, SourceRange range, Expr target, Expr index) implements Expr {
    }

    public record Not(Span span, SourceRange range, Expr operand) implements Expr {
    }

    /** Every binary operator: and, or, comparisons, in, matches, glob, ..., ??, +, -. */
    public record Binary(Span span, SourceRange range, String operator, Span operatorSpan, Expr left, Expr right)
            implements Expr {
    }

    /** Parentheses: kept so that nesting is measured as written. */
    public record Group(Span span, SourceRange range, Expr inner) implements Expr {
    }
}
