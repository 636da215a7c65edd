// Clause: the rule language of Conform. Lexer and parser in one grammar.
// Precedence (loosest first): quantifiers and if-then-else, implies, or, and, not, in/under,
// comparison, + -, * / %, unary -, postfix (.field, is present/absent).
grammar Clause;

file_          : item* EOF ;
exprOnly       : each=EACH? expr EOF ;   // the holes of `else` message templates (`{each x.id}`: every failing element)
item           : useDecl | schemaDecl | standardDecl | extensionDecl | defDecl | globalLet ;

// ---- definitions (module level or in a standard) ----------------------------------------
defDecl        : DEF IDENT LPAREN (defParam (COMMA defParam)*)? RPAREN (COLON typeRef)? ASSIGN expr ;
defParam       : IDENT COLON typeRef ;
globalLet      : LET IDENT ASSIGN expr ;   // computed once per organization

useDecl        : USE IDENT ;

// ---- schema ---------------------------------------------------------------
schemaDecl     : SCHEMA IDENT LBRACE schemaMember* RBRACE ;
schemaMember   : enumDecl | entityDecl | extendDecl ;
enumDecl       : ENUM IDENT LBRACE IDENT (COMMA IDENT)* COMMA? RBRACE ;
entityDecl     : kind=(ENTITY | ROOT) IDENT LBRACE fieldDecl* RBRACE ;
extendDecl     : EXTEND IDENT LBRACE fieldDecl* RBRACE ;
fieldDecl      : IDENT COLON typeRef doc=STRING? ;
typeRef        : IDENT (LT typeRef GT)? opt=QUESTION? ;

// ---- standards --------------------------------------------------------------
standardDecl   : STANDARD IDENT title=STRING LBRACE standardMember* RBRACE ;
standardMember : paramDecl | clauseDecl | exclusionsDecl | metaDecl | defDecl | globalLet ;
metaDecl       : IDENT literal ;
paramDecl      : PARAM IDENT COLON typeRef ASSIGN expr doc=STRING? ;
exclusionsDecl : EXCLUSIONS expr ;
clauseDecl     : CLAUSE clauseNumber title=STRING LBRACE clauseMember* RBRACE ;
clauseNumber   : INT | DECIMAL | CLAUSE_NUM | ANNEX_NUM | IDENT ;   // IDENT: an annex's letters (A, CLD)
clauseMember   : clauseDecl | requirementDecl ;
requirementDecl: REQUIREMENT IDENT COLON grade=IDENT LBRACE reqMember* RBRACE ;
reqMember      : SAYS STRING                     # saysMember
               | APPLIES WHEN expr               # appliesMember
               | LET IDENT ASSIGN expr           # letMember
               | PASS expr                       # passMember
               | ELSE STRING                     # elseMember
               | DEPENDS on=IDENT IDENT (COMMA IDENT)*  # dependsMember   // `depends on a, b`
               ;

// ---- extensions (sector schemes on a base standard) --------------------------------
extensionDecl  : EXTENSION IDENT title=STRING EXTENDS base=IDENT (editionTerm (COMMA editionTerm)*)?
                 LBRACE extensionMember* RBRACE ;
editionTerm    : op=(GE | GT | LE | LT | EQ)? STRING ;
extensionMember: metaDecl | paramDecl | paramSet | exclusionsDecl | clauseDecl | clauseOpen | amendDecl
               | SCHEMA LBRACE schemaMember* RBRACE ;
paramSet       : PARAM owner=IDENT DOT name=IDENT ASSIGN expr ;
clauseOpen     : CLAUSE clauseNumber LBRACE clauseMember* RBRACE ;   // an existing clause of the base
amendDecl      : AMEND owner=IDENT DOT (clauseNumber DOT)? id=IDENT LBRACE amendMember* RBRACE ;
amendMember    : reqMember | key=IDENT value=IDENT ;                  // `grade major`

// ---- expressions ------------------------------------------------------------
expr           : primary                                               # primaryExpr
               | expr DOT IDENT                                        # fieldExpr
               | expr IS (PRESENT | ABSENT)                            # presenceExpr
               | MINUS expr                                            # negExpr
               | expr op=(STAR | SLASH | PERCENT | AMP) expr                # mulExpr
               | expr op=(PLUS | MINUS) expr                           # addExpr
               | expr op=(EQ | NE | LT | LE | GT | GE) expr            # cmpExpr
               | expr NOT? op=(IN | UNDER) expr                        # memberExpr
               | NOT expr                                              # notExpr
               | expr AND expr                                         # andExpr
               | expr OR expr                                          # orExpr
               | <assoc=right> expr IMPLIES expr                       # impliesExpr
               | q=(EXISTS | ALL | NONE) IDENT IN expr (WHERE expr)? COLON expr  # quantExpr
               | IF expr THEN expr ELSE expr                           # ifExpr
               ;

primary        : literal                                               # literalPrimary
               | IDENT LPAREN IDENT IN expr (WHERE expr)? RPAREN        # countPrimary
               | IDENT LPAREN expr FOR IDENT IN expr (WHERE expr)? RPAREN  # comprehensionPrimary
               | IDENT LPAREN (expr (COMMA expr)*)? RPAREN             # callPrimary
               | IDENT                                                 # namePrimary
               | LBRACE (expr (COMMA expr)* COMMA?)? RBRACE            # setPrimary
               | LPAREN expr RPAREN                                    # parenPrimary
               | LBRACK IDENT IN expr WHERE expr RBRACK                # filterPrimary   // [x in L where f]
               ;

literal        : TRUE                  # trueLit
               | FALSE                 # falseLit
               | INT unit=IDENT        # durationLit
               | INT                   # intLit
               | DECIMAL               # decimalLit
               | DATE                  # dateLit
               | STRING                # stringLit
               ;

// ---- lexer ------------------------------------------------------------------
USE: 'use'; SCHEMA: 'schema'; ENUM: 'enum'; ENTITY: 'entity'; ROOT: 'root'; EXTEND: 'extend';
STANDARD: 'standard'; PARAM: 'param'; EXCLUSIONS: 'exclusions'; CLAUSE: 'clause';
REQUIREMENT: 'requirement'; SAYS: 'says'; APPLIES: 'applies'; WHEN: 'when'; LET: 'let';
PASS: 'pass'; ELSE: 'else'; IS: 'is'; PRESENT: 'present'; ABSENT: 'absent';
NOT: 'not'; AND: 'and'; OR: 'or'; IMPLIES: 'implies'; IN: 'in'; UNDER: 'under';
EXISTS: 'exists'; ALL: 'all'; NONE: 'none'; WHERE: 'where'; FOR: 'for';
TRUE: 'true'; FALSE: 'false'; IF: 'if'; THEN: 'then'; DEPENDS: 'depends'; DEF: 'def'; EACH: 'each';
EXTENSION: 'extension'; EXTENDS: 'extends'; AMEND: 'amend';

LBRACE: '{'; RBRACE: '}'; LPAREN: '('; RPAREN: ')'; LBRACK: '['; RBRACK: ']'; AMP: '&'; COMMA: ','; COLON: ':'; DOT: '.';
QUESTION: '?'; ASSIGN: '='; EQ: '=='; NE: '!='; LE: '<='; GE: '>='; LT: '<'; GT: '>';
PLUS: '+'; MINUS: '-'; STAR: '*'; SLASH: '/'; PERCENT: '%';

DATE       : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT ;
CLAUSE_NUM : DIGIT+ '.' DIGIT+ ('.' DIGIT+)+ ;
ANNEX_NUM  : [A-Z]+ ('.' DIGIT+)+ ;             // an annex or a lettered control set: A.5, A.5.23, CLD.6.3.1
DECIMAL    : DIGIT+ '.' DIGIT+ ;
INT        : DIGIT+ ;
STRING     : '"' ( '\\' . | ~["\\\r\n] )* '"' ;
IDENT      : [a-zA-Z_] [a-zA-Z_0-9]* ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
UNKNOWN_CHAR  : . ;

fragment DIGIT : [0-9] ;
