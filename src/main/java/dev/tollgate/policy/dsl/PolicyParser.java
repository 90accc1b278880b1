package dev.tollgate.policy.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.google.re2j.Pattern;
import dev.tollgate.policy.dsl.Ast.Expr;
import dev.tollgate.policy.dsl.Diagnostic.Codes;
import dev.tollgate.policy.dsl.grammar.TollgatePolicyLexer;
import dev.tollgate.policy.dsl.grammar.TollgatePolicyParser;
import dev.tollgate.policy.dsl.grammar.TollgatePolicyParser.*;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Turns policy source into an {@link Ast.Policy} or syntax diagnostics. The only user of ANTLR.
 * Bracket nesting is measured on the tokens before the parser runs, so hostile nesting never
 * reaches the parser's recursion; other nesting (not, quantifiers) is measured while building.
 */
public final class PolicyParser {

    public static final int MAX_NESTING = 64;
    private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    /**
     * The policy as written, or (when {@code policy} is null) the syntax errors. {@code deferred}
     * holds errors found while parsing that are not syntax errors (a rule name's pattern): they are
     * reported with the compiler's.
     */
    public record ParseResult(Ast.Policy policy, List<Diagnostic> diagnostics, List<Diagnostic> deferred) {
        ParseResult(Ast.Policy policy, List<Diagnostic> diagnostics) {
            this(policy, diagnostics, List.of());
        }
    }

    private PolicyParser() {
    }

    /** Parses one policy source. Must be called on a thread with a generous stack (see PolicyCompiler). */
    public static ParseResult parse(String source) {
        return parse(source, Deadline.NONE);
    }

    /** Parses one policy source, checking the deadline as it goes ({@link Deadline.Expired} when it passes). */
    public static ParseResult parse(String source, Deadline deadline) {
        String text = normalize(source);
        TollgatePolicyLexer lexer = new TollgatePolicyLexer(CharStreams.fromString(text)) {
            @Override
            public Token nextToken() {
                deadline.check();
                return super.nextToken();
            }
        };
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        List<Token> all = tokens.getTokens();

        List<Diagnostic> errors = new ArrayList<>();
        invalidCharacters(text, errors);
        lexicalErrors(all, errors);
        Diagnostic tooDeep = bracketNesting(all);
        if (tooDeep != null) {
            errors.add(tooDeep);
            return new ParseResult(null, sorted(errors));
        }

        TollgatePolicyParser parser = new TollgatePolicyParser(tokens);
        parser.removeErrorListeners();
        parser.setErrorHandler(new BoundedMessages());
        parser.addErrorListener(new Listener(errors));
        parser.addParseListener(new org.antlr.v4.runtime.tree.ParseTreeListener() {
            @Override
            public void visitTerminal(org.antlr.v4.runtime.tree.TerminalNode node) {
                deadline.check();
            }

            @Override
            public void visitErrorNode(org.antlr.v4.runtime.tree.ErrorNode node) {
                deadline.check();
            }

            @Override
            public void enterEveryRule(ParserRuleContext ctx) {
                deadline.check();
            }

            @Override
            public void exitEveryRule(ParserRuleContext ctx) {
            }
        });
        PolicyFileContext tree = parser.policyFile();
        if (!errors.isEmpty()) {
            return new ParseResult(null, sorted(errors));
        }
        int[] starts = new int[all.size()];
        int[] stops = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            starts[i] = all.get(i).getStartIndex();
            stops[i] = Math.max(all.get(i).getStopIndex(), all.get(i).getStartIndex() - 1);
        }
        Builder builder = new Builder(new SourceRange.SourceText(text, starts, stops), all, deadline);
        try {
            Ast.Policy policy = builder.policy(tree.policyDecl());
            errors.addAll(builder.errors);
            return errors.isEmpty() ? new ParseResult(policy, List.of(), List.copyOf(builder.deferred))
                    : new ParseResult(null, sorted(errors));
        } catch (TooDeep e) {
            errors.addAll(builder.errors);
            errors.add(Diagnostic.at(e.span, Codes.NESTING_TOO_DEEP, "nesting deeper than " + MAX_NESTING));
            return new ParseResult(null, sorted(errors));
        }
    }

    /** Drops a leading byte-order mark; {@code \r\n} and a lone {@code \r} end a line like {@code \n}. */
    static String normalize(String source) {
        String text = source.startsWith("\uFEFF") ? source.substring(1) : source;
        if (text.indexOf('\r') >= 0) {
            text = text.replace("\r\n", "\n").replace('\r', '\n');
        }
        return text;
    }

    private static List<Diagnostic> sorted(List<Diagnostic> diagnostics) {
        List<Diagnostic> copy = new ArrayList<>(diagnostics);
        copy.sort(null);
        return List.copyOf(copy);
    }

    static Span span(Token token) {
        return new Span(token.getLine(), token.getCharPositionInLine() + 1);
    }

    /**
     * Reports lexical errors and repairs the token stream so that parsing can go on: {@code &&},
     * {@code ||}, {@code !} and single-quoted strings are parsed as what they meant, an unterminated
     * string as a string, and any other stray character is dropped.
     */
    private static void lexicalErrors(List<Token> tokens, List<Diagnostic> errors) {
        for (Token token : tokens) {
            if (token.getType() == TollgatePolicyLexer.ERROR_CHAR && token.getText().codePointAt(0) == 0
                    || token.getType() == TollgatePolicyLexer.ERROR_CHAR && Character.isSurrogate(token.getText().charAt(0))) {
                if (token instanceof org.antlr.v4.runtime.WritableToken writable) {
                    writable.setChannel(Token.HIDDEN_CHANNEL); // reported by invalidCharacters
                }
                continue;
            }
            String message = switch (token.getType()) {
                case TollgatePolicyLexer.UNTERMINATED_STRING -> "string is not closed on its line";
                case TollgatePolicyLexer.AMPAMP -> "unexpected '&&'; write 'and'";
                case TollgatePolicyLexer.PIPEPIPE -> "unexpected '||'; write 'or'";
                case TollgatePolicyLexer.BANG -> "unexpected '!'; write 'not'";
                case TollgatePolicyLexer.SQ_STRING -> "strings are written in double quotes";
                case TollgatePolicyLexer.ERROR_CHAR -> "unexpected character '" + printable(token.getText()) + "'";
                default -> null;
            };
            if (message == null) {
                continue;
            }
            errors.add(Diagnostic.at(span(token), Codes.SYNTAX_ERROR, message));
            if (token instanceof org.antlr.v4.runtime.WritableToken writable) {
                switch (token.getType()) {
                    case TollgatePolicyLexer.AMPAMP -> writable.setType(TollgatePolicyLexer.AND);
                    case TollgatePolicyLexer.PIPEPIPE -> writable.setType(TollgatePolicyLexer.OR);
                    case TollgatePolicyLexer.BANG -> writable.setType(TollgatePolicyLexer.NOT);
                    case TollgatePolicyLexer.SQ_STRING, TollgatePolicyLexer.UNTERMINATED_STRING ->
                            writable.setType(TollgatePolicyLexer.STRING);
                    default -> writable.setChannel(Token.HIDDEN_CHANNEL);
                }
            }
        }
    }

    /**
     * NUL (U+0000) anywhere, and unpaired surrogates (possible in a source given inside JSON, as
     * the playground's is): PostgreSQL's text cannot hold a NUL, and neither is a character that
     * UTF-8 can carry, so a source holding one could be validated but not stored, or its rule
     * messages not recorded.
     */
    private static void invalidCharacters(String text, List<Diagnostic> errors) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                column = 1;
                continue;
            }
            if (c == 0) {
                errors.add(new Diagnostic(line, column, Codes.INVALID_CHARACTER,
                        "NUL character (U+0000) is not allowed in a policy source"));
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                errors.add(new Diagnostic(line, column, Codes.INVALID_CHARACTER, String.format(Locale.ROOT,
                        "unpaired surrogate (U+%04X) is not a character", (int) c)));
            }
            column++;
        }
    }

    private static String printable(String c) {
        int cp = c.codePointAt(0);
        return Character.isISOControl(cp) || Character.isWhitespace(cp) ? String.format(Locale.ROOT, "\\u%04x", cp) : c;
    }

    private static Diagnostic bracketNesting(List<Token> tokens) {
        int depth = 0;
        for (Token token : tokens) {
            switch (token.getType()) {
                case TollgatePolicyLexer.LPAREN, TollgatePolicyLexer.LBRACK -> {
                    depth++;
                    if (depth > MAX_NESTING) {
                        return Diagnostic.at(span(token), Codes.NESTING_TOO_DEEP, "nesting deeper than " + MAX_NESTING);
                    }
                }
                case TollgatePolicyLexer.RPAREN, TollgatePolicyLexer.RBRACK -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
        return null;
    }

    /**
     * ANTLR's recovery with messages of bounded length: a token is shown by at most
     * {@value #SHOWN} characters, and "no viable alternative" shows the input just before the
     * offending token instead of everything since the decision began (which made every such
     * message, and so the errors of a long broken source, cost time in proportion to the source).
     */
    private static final class BoundedMessages extends org.antlr.v4.runtime.DefaultErrorStrategy {
        static final int SHOWN = 40;

        @Override
        protected String getTokenErrorDisplay(Token token) {
            if (token == null) {
                return "<no token>";
            }
            if (token.getType() == Token.EOF) {
                return "<EOF>";
            }
            return escapeWSAndQuote(shortened(token.getText()));
        }

        @Override
        protected void reportNoViableAlternative(org.antlr.v4.runtime.Parser recognizer,
                org.antlr.v4.runtime.NoViableAltException e) {
            org.antlr.v4.runtime.TokenStream tokens = recognizer.getInputStream();
            String input;
            if (e.getStartToken().getType() == Token.EOF) {
                input = "<EOF>";
            } else {
                StringBuilder text = new StringBuilder();
                int first = e.getStartToken().getTokenIndex();
                int i = e.getOffendingToken().getTokenIndex();
                for (; i >= first && text.length() <= SHOWN; i--) {
                    Token token = tokens.get(i);
                    if (token.getType() != Token.EOF && token.getChannel() == Token.DEFAULT_CHANNEL) {
                        text.insert(0, shortened(token.getText()));
                    }
                }
                input = i >= first ? "…" + text.substring(Math.max(0, text.length() - SHOWN)) : text.toString();
            }
            recognizer.notifyErrorListeners(e.getOffendingToken(), "no viable alternative at input "
                    + escapeWSAndQuote(input), e);
        }

        private static String shortened(String text) {
            if (text == null) {
                return "";
            }
            return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "…";
        }
    }

    private static final class Listener extends BaseErrorListener {
        private final List<Diagnostic> errors;
        private final java.util.Set<Diagnostic> seen = new java.util.HashSet<>();

        Listener(List<Diagnostic> errors) {
            this.errors = errors;
            this.seen.addAll(errors);
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int column, String message,
                RecognitionException e) {
            Diagnostic diagnostic = new Diagnostic(line, column + 1, Codes.SYNTAX_ERROR, readable(message));
            if (seen.add(diagnostic)) {
                errors.add(diagnostic);
            }
        }

        private static final com.google.re2j.Pattern EXPECTING = com.google.re2j.Pattern.compile("expecting (\\{.*\\}|\\S+)$");

        /** ANTLR's messages in the language's own words: token names spelled out, expected sets summed up. */
        static String readable(String message) {
            String text = message
                    .replace("mismatched input", "unexpected")
                    .replace("extraneous input", "unexpected")
                    .replace("no viable alternative at input", "unexpected");
            com.google.re2j.Matcher m = EXPECTING.matcher(text);
            if (m.find()) {
                java.util.Set<String> items = new java.util.LinkedHashSet<>();
                String set = m.group(1);
                if (set.startsWith("{") && set.endsWith("}")) {
                    set = set.substring(1, set.length() - 1);
                }
                for (String item : set.split(", ")) {
                    items.add(tokenName(item.strip()));
                }
                text = text.substring(0, m.start()).strip() + "; expected " + expected(items);
            }
            return text.replace("<EOF>", "end of input");
        }

        private static final java.util.Set<String> OPERATORS = java.util.Set.of("'in'", "'and'", "'or'", "'matches'",
                "'glob'", "'startsWith'", "'endsWith'", "'contains'", "'['", "'.'", "'=='", "'!='", "'<='", "'>='",
                "'<'", "'>'", "'??'", "'+'", "'-'");

        private static String expected(java.util.Set<String> items) {
            if (items.contains("'not'") && items.contains("identifier")) {
                return "an expression";
            }
            List<String> shown = new ArrayList<>();
            boolean operator = false;
            for (String item : items) {
                if (OPERATORS.contains(item) && items.contains("'=='")) {
                    operator = true;
                } else if (item.equals("identifier") && items.contains("'applies'")) {
                    shown.add("'levels'"); // the policy header's one identifier: the unreserved word levels
                } else {
                    shown.add(item);
                }
            }
            if (operator) {
                shown.add("an operator");
            }
            return shown.size() == 1 ? shown.get(0) : "one of " + String.join(", ", shown);
        }

        private static String tokenName(String item) {
            return switch (item) {
                case "IDENT" -> "identifier";
                case "STRING", "UNTERMINATED_STRING" -> "string";
                case "NUMBER", "BAD_NUMBER" -> "number";
                case "DURATION" -> "duration";
                case "<EOF>" -> "end of input";
                default -> item;
            };
        }
    }

    private static final class TooDeep extends RuntimeException {
        final Span span;

        TooDeep(Span span) {
            super(null, null, false, false);
            this.span = span;
        }
    }

    /** Parse tree → AST, measuring the nesting of not, quantifiers, calls, brackets. */
    private static final class Builder {
        private final SourceRange.SourceText source;
        private final List<Token> tokens;
        private final List<Diagnostic> errors = new ArrayList<>();
        private final List<Diagnostic> deferred = new ArrayList<>();
        private int depth;

        private final Deadline deadline;

        Builder(SourceRange.SourceText source, List<Token> tokens, Deadline deadline) {
            this.source = source;
            this.tokens = tokens;
            this.deadline = deadline;
        }

        Ast.Policy policy(PolicyDeclContext ctx) {
            String description = ctx.descriptionDecl() == null ? null : ctx.descriptionDecl().STRING().getText();
            Span descriptionSpan = ctx.descriptionDecl() == null ? null : span(ctx.descriptionDecl().STRING().getSymbol());
            String mode = ctx.modeDecl() == null ? "enforce" : ctx.modeDecl().value.getText();
            Expr applies = ctx.appliesDecl() == null ? null : expr(ctx.appliesDecl().expr());
            List<Ast.Let> lets = new ArrayList<>();
            for (LetDeclContext let : ctx.letDecl()) {
                boolean keyword = let.letName().keyword() != null;
                lets.add(new Ast.Let(let.letName().getText(), span(let.LET().getSymbol()), span(let.letName().getStart()),
                        keyword, expr(let.expr())));
            }
            List<Ast.Rule> rules = new ArrayList<>();
            for (RuleDeclContext rule : ctx.ruleDecl()) {
                rules.add(rule(rule));
            }
            List<Ast.Level> levels = new ArrayList<>();
            if (ctx.levelsDecl() != null) {
                if (!ctx.levelsDecl().levelsWord.getText().equals("levels")) {
                    errors.add(Diagnostic.at(span(ctx.levelsDecl().levelsWord), Codes.SYNTAX_ERROR, "unexpected '"
                            + ctx.levelsDecl().levelsWord.getText() + "'; expected 'applies', 'let', 'rule' or 'levels'"));
                }
                for (var level : ctx.levelsDecl().STRING()) {
                    levels.add(new Ast.Level(level.getText(), span(level.getSymbol())));
                }
            }
            return new Ast.Policy(ctx.name.getText(), span(ctx.name), description, descriptionSpan, mode, applies,
                    List.copyOf(lets), List.copyOf(rules), List.copyOf(levels));
        }

        private Ast.Rule rule(RuleDeclContext ctx) {
            RuleNameContext name = ctx.ruleName();
            StringBuilder joined = new StringBuilder();
            Token previous = null;
            for (int i = name.getStart().getTokenIndex(); i <= name.getStop().getTokenIndex(); i++) {
                Token token = tokens.get(i);
                if (previous != null && previous.getStopIndex() + 1 != token.getStartIndex()) {
                    errors.add(Diagnostic.at(span(name.getStart()), Codes.SYNTAX_ERROR,
                            "a rule name is written without spaces or comments inside"));
                    break;
                }
                joined.append(token.getText());
                previous = token;
            }
            String ruleName = joined.toString();
            Span nameSpan = span(name.getStart());
            if (!RULE_NAME.matches(ruleName) || ruleName.length() > 63) {
                deferred.add(Diagnostic.at(nameSpan, Codes.INVALID_NAME, "invalid rule name '" + ruleName
                        + "': lowercase letters, digits and single hyphens, at most 63 characters"));
            }
            RuleBodyContext body = ctx.ruleBody();
            boolean denyIf = body.DENY() != null;
            String message = body.message == null ? null : body.message.getText();
            Span messageSpan = body.message == null ? null : span(body.message);
            String effective = null;
            Span effectiveSpan = null;
            if (ctx.effectiveWord != null) {
                if (!ctx.effectiveWord.getText().equals("effective")) {
                    errors.add(Diagnostic.at(span(ctx.effectiveWord), Codes.SYNTAX_ERROR, "unexpected '"
                            + ctx.effectiveWord.getText() + "'; expected '{' or effective \"<time>\""));
                } else {
                    effective = ctx.effectiveAt.getText();
                    effectiveSpan = span(ctx.effectiveAt);
                }
            }
            return new Ast.Rule(ruleName, span(ctx.RULE().getSymbol()), nameSpan, denyIf, expr(body.expr()), message,
                    messageSpan, effective, effectiveSpan);
        }

        private SourceRange range(ParserRuleContext ctx) {
            return new SourceRange(source, ctx.getStart().getTokenIndex(), ctx.getStop().getTokenIndex());
        }

        private void enter(Token token) {
            if (++depth > MAX_NESTING) {
                throw new TooDeep(span(token));
            }
        }

        private Expr nested(Token token, java.util.function.Supplier<Expr> build) {
            enter(token);
            try {
                return build.get();
            } finally {
                depth--;
            }
        }

        Expr expr(ExprContext ctx) {
            deadline.check();
            Span at = span(ctx.getStart());
            SourceRange range = range(ctx);
            if (ctx instanceof FieldAccessContext f) {
                return new Ast.Field(at, range, expr(f.expr()), f.fieldName().getText(), span(f.fieldName().getStart()));
            }
            if (ctx instanceof IndexAccessContext i) {
                Expr target = expr(i.expr(0));
                return nested(i.LBRACK().getSymbol(), () -> new Ast.Index(at, range, target, expr(i.expr(1))));
            }
            if (ctx instanceof PrimaryExprContext p) {
                return primary(p.primary());
            }
            if (ctx instanceof AdditiveContext a) {
                return binary(at, range, a.op, a.expr(0), a.expr(1));
            }
            if (ctx instanceof CoalesceContext c) {
                return binary(at, range, c.COALESCE().getSymbol(), c.expr(0), c.expr(1));
            }
            if (ctx instanceof ComparisonContext c) {
                return binary(at, range, c.op, c.expr(0), c.expr(1));
            }
            if (ctx instanceof NegationContext n) {
                return nested(n.NOT().getSymbol(), () -> new Ast.Not(at, range, expr(n.expr())));
            }
            if (ctx instanceof ConjunctionContext c) {
                return binary(at, range, c.AND().getSymbol(), c.expr(0), c.expr(1));
            }
            if (ctx instanceof DisjunctionContext d) {
                return binary(at, range, d.OR().getSymbol(), d.expr(0), d.expr(1));
            }
            if (ctx instanceof QuantifiedContext q) {
                return nested(q.quantifier, () -> new Ast.Quantifier(at, range, q.quantifier.getType() == TollgatePolicyLexer.ALL, q.IDENT().getText(), span(q.IDENT().getSymbol()), expr(q.expr(0)),
                        expr(q.expr(1))));
            }
            throw new IllegalStateException("unexpected expression " + ctx.getClass().getSimpleName());
        }

        private Expr binary(Span at, SourceRange range, Token operator, ExprContext left, ExprContext right) {
            return new Ast.Binary(at, range, operator.getText(), span(operator), expr(left), expr(right));
        }

        private Expr primary(PrimaryContext ctx) {
            Span at = span(ctx.getStart());
            SourceRange range = range(ctx);
            if (ctx instanceof StringLiteralContext s) {
                return new Ast.StringLit(at, range, s.STRING().getText());
            }
            if (ctx instanceof NumberLiteralContext n) {
                return new Ast.NumberLit(at, range, n.NUMBER().getText());
            }
            if (ctx instanceof DurationLiteralContext d) {
                return new Ast.DurationLit(at, range, d.DURATION().getText());
            }
            if (ctx instanceof BadNumberLiteralContext b) {
                return new Ast.BadNumberLit(at, range, b.BAD_NUMBER().getText());
            }
            if (ctx instanceof BooleanLiteralContext b) {
                return new Ast.BoolLit(at, range, b.TRUE() != null);
            }
            if (ctx instanceof NullLiteralContext) {
                return new Ast.NullLit(at, range);
            }
            if (ctx instanceof ListLiteralContext l) {
                return nested(l.LBRACK().getSymbol(), () -> new Ast.ListLit(at, range, exprs(l.expr())));
            }
            if (ctx instanceof CountFormContext c) {
                return nested(c.COUNT().getSymbol(), () -> new Ast.CountForm(at, range, c.IDENT().getText(),
                        span(c.IDENT().getSymbol()), expr(c.expr(0)), expr(c.expr(1))));
            }
            if (ctx instanceof CallContext c) {
                return nested(c.IDENT().getSymbol(), () -> new Ast.Call(at, range, c.IDENT().getText(), exprs(c.expr())));
            }
            if (ctx instanceof NameContext n) {
                return new Ast.Name(at, range, n.IDENT().getText());
            }
            if (ctx instanceof ParenthesizedContext p) {
                return nested(p.LPAREN().getSymbol(), () -> new Ast.Group(at, range, expr(p.expr())));
            }
            throw new IllegalStateException("unexpected primary " + ctx.getClass().getSimpleName());
        }

        private List<Expr> exprs(List<ExprContext> contexts) {
            List<Expr> list = new ArrayList<>(contexts.size());
            for (ExprContext context : contexts) {
                list.add(expr(context));
            }
            return List.copyOf(list);
        }
    }
}
