// The Tollgate policy language (see docs/policy-language.md and the specification).
// No embedded actions: every check beyond the shape of the text lives in the compiler.
grammar TollgatePolicy;

policyFile
    : policyDecl EOF
    ;

policyDecl
    : POLICY name=STRING LBRACE descriptionDecl? modeDecl? levelsDecl? appliesDecl? letDecl* ruleDecl+ RBRACE
    ;

// `levels "SLSA_BUILD_LEVEL_3", …` (an extension of the spec): the SLSA levels an allow of this
// policy verifies, named in the decision's signed VSA. The word is not reserved: the compiler
// checks that it reads `levels`.
levelsDecl
    : levelsWord=IDENT STRING (COMMA STRING)*
    ;

descriptionDecl
    : DESCRIPTION STRING
    ;

modeDecl
    : MODE value=(ENFORCE | WARN | AUDIT)
    ;

appliesDecl
    : APPLIES WHEN expr
    ;

letDecl
    : LET letName ASSIGN expr
    ;

// a keyword is accepted here only so that the compiler can say why it is not allowed
letName
    : IDENT
    | keyword
    ;

// `effective "<RFC 3339 time>"` (an extension of the spec): before that time a failure of the rule
// only warns. The word is not reserved: the compiler checks that it reads `effective`.
ruleDecl
    : RULE ruleName (effectiveWord=IDENT effectiveAt=STRING)? LBRACE ruleBody RBRACE
    ;

// a run of touching tokens; the compiler checks that they touch and fit [a-z0-9]+(-[a-z0-9]+)*
ruleName
    : ruleNamePart (MINUS ruleNamePart)*
    ;

ruleNamePart
    : IDENT
    | NUMBER
    | DURATION
    | BAD_NUMBER
    | keyword
    ;

ruleBody
    : (REQUIRE | DENY IF) expr (MESSAGE message=STRING)?
    ;

// Alternatives listed first bind tighter; every binary operator associates to the left.
// Prefix forms (not, quantifiers) may stand wherever an operand may; a quantifier's body,
// listed last, extends as far right as possible.
expr
    : expr DOT fieldName                                                    # fieldAccess
    | expr LBRACK expr RBRACK                                               # indexAccess
    | primary                                                               # primaryExpr
    | expr op=(PLUS | MINUS) expr                                           # additive
    | expr COALESCE expr                                                    # coalesce
    | expr op=(EQ | NE | LT | LE | GT | GE | IN | MATCHES | GLOB
              | STARTSWITH | ENDSWITH | CONTAINS) expr                      # comparison
    | NOT expr                                                              # negation
    | expr AND expr                                                         # conjunction
    | expr OR expr                                                          # disjunction
    | quantifier=(ANY | ALL) IDENT IN expr COLON expr                       # quantified
    ;

primary
    : STRING                                                                # stringLiteral
    | NUMBER                                                                # numberLiteral
    | DURATION                                                              # durationLiteral
    | BAD_NUMBER                                                            # badNumberLiteral
    | (TRUE | FALSE)                                                        # booleanLiteral
    | NULL                                                                  # nullLiteral
    | LBRACK (expr (COMMA expr)*)? RBRACK                                   # listLiteral
    | COUNT LPAREN IDENT IN expr COLON expr RPAREN                          # countForm
    | IDENT LPAREN (expr (COMMA expr)*)? RPAREN                             # call
    | IDENT                                                                 # name
    | LPAREN expr RPAREN                                                    # parenthesized
    ;

fieldName
    : IDENT
    | keyword
    ;

keyword
    : POLICY | DESCRIPTION | MODE | ENFORCE | WARN | AUDIT | APPLIES | WHEN | LET | RULE
    | REQUIRE | DENY | IF | MESSAGE | ANY | ALL | IN | NOT | AND | OR | MATCHES | GLOB
    | STARTSWITH | ENDSWITH | CONTAINS | COUNT | TRUE | FALSE | NULL
    ;

POLICY      : 'policy';
DESCRIPTION : 'description';
MODE        : 'mode';
ENFORCE     : 'enforce';
WARN        : 'warn';
AUDIT       : 'audit';
APPLIES     : 'applies';
WHEN        : 'when';
LET         : 'let';
RULE        : 'rule';
REQUIRE     : 'require';
DENY        : 'deny';
IF          : 'if';
MESSAGE     : 'message';
ANY         : 'any';
ALL         : 'all';
IN          : 'in';
NOT         : 'not';
AND         : 'and';
OR          : 'or';
MATCHES     : 'matches';
GLOB        : 'glob';
STARTSWITH  : 'startsWith';
ENDSWITH    : 'endsWith';
CONTAINS    : 'contains';
COUNT       : 'count';
TRUE        : 'true';
FALSE       : 'false';
NULL        : 'null';

LBRACE   : '{';
RBRACE   : '}';
LPAREN   : '(';
RPAREN   : ')';
LBRACK   : '[';
RBRACK   : ']';
COMMA    : ',';
COLON    : ':';
DOT      : '.';
EQ       : '==';
NE       : '!=';
LE       : '<=';
GE       : '>=';
LT       : '<';
GT       : '>';
ASSIGN   : '=';
COALESCE : '??';
PLUS     : '+';
MINUS    : '-';

// escapes are checked by the compiler, which names the unknown one
STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '"';
// a string that a line break (or the end of the text) cuts off
UNTERMINATED_STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '\\'?;

DURATION   : [0-9]+ [smhd];
NUMBER     : [0-9]+ ('.' [0-9]+)?;
// a number run into letters: 7w, 7D, 1h30m, 1.5h ("bad duration literal")
BAD_NUMBER : [0-9]+ ('.' [0-9]+)? [A-Za-z_] [A-Za-z0-9_]*;

IDENT : [A-Za-z_] [A-Za-z0-9_]*;

COMMENT : '#' ~[\r\n]* -> skip;
WS      : [ \t\r\n]+ -> skip;

// spellings from other languages: reported with a hint, then parsed as what they meant
AMPAMP    : '&&';
PIPEPIPE  : '||';
BANG      : '!';
SQ_STRING : '\'' ~['\r\n]* '\'';

// anything else is one token the compiler reports ("unexpected character")
ERROR_CHAR : .;
