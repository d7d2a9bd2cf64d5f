package s3err

import "net/http"

// The SelectObjectContent errors, as AWS's "List of SELECT Object Content
// Error Codes" names them. All are 400 Bad Request. Before the response
// starts they are sent as XML errors; once the event stream has begun they
// are sent as an event-stream error message with the same code.
const (
	ParseUnexpectedToken                  Code = "ParseUnexpectedToken"
	ParseUnexpectedKeyword                Code = "ParseUnexpectedKeyword"
	ParseUnexpectedOperator               Code = "ParseUnexpectedOperator"
	ParseExpectedExpression               Code = "ParseExpectedExpression"
	ParseExpectedKeyword                  Code = "ParseExpectedKeyword"
	ParseExpectedTokenType                Code = "ParseExpectedTokenType"
	ParseExpectedNumber                   Code = "ParseExpectedNumber"
	ParseExpectedTypeName                 Code = "ParseExpectedTypeName"
	ParseExpectedWhenClause               Code = "ParseExpectedWhenClause"
	ParseExpectedDatePart                 Code = "ParseExpectedDatePart"
	ParseExpectedArgumentDelimiter        Code = "ParseExpectedArgumentDelimiter"
	ParseExpectedLeftParenBuiltinFunction Code = "ParseExpectedLeftParenBuiltinFunctionCall"
	ParseExpectedRightParenBuiltin        Code = "ParseExpectedRightParenBuiltinFunctionCall"
	ParseExpectedIdentForAlias            Code = "ParseExpectedIdentForAlias"
	ParseSelectMissingFrom                Code = "ParseSelectMissingFrom"
	ParseEmptySelect                      Code = "ParseEmptySelect"
	ParseUnsupportedCallWithStar          Code = "ParseUnsupportedCallWithStar"
	ParseAsteriskIsNotAloneInSelectList   Code = "ParseAsteriskIsNotAloneInSelectList"
	ParseUnsupportedSyntax                Code = "ParseUnsupportedSyntax"
	LexerInvalidChar                      Code = "LexerInvalidChar"
	LexerInvalidLiteral                   Code = "LexerInvalidLiteral"
	UnsupportedSQLOperation               Code = "UnsupportedSqlOperation"
	UnsupportedSQLStructure               Code = "UnsupportedSqlStructure"
	UnsupportedFunction                   Code = "UnsupportedFunction"
	InvalidTableAlias                     Code = "InvalidTableAlias"
	InvalidDataType                       Code = "InvalidDataType"
	InvalidDataSource                     Code = "InvalidDataSource"
	IncorrectSQLFunctionArgumentType      Code = "IncorrectSqlFunctionArgumentType"
	EvaluatorInvalidArguments             Code = "EvaluatorInvalidArguments"
	CastFailed                            Code = "CastFailed"
	InvalidCast                           Code = "InvalidCast"
	ValueParseFailure                     Code = "ValueParseFailure"
	IntegerOverflow                       Code = "IntegerOverflow"
	LikeInvalidInputs                     Code = "LikeInvalidInputs"
	DivisionByZero                        Code = "DivisionByZero"
	ExpressionTooLong                     Code = "ExpressionTooLong"
	MissingRequiredParameter              Code = "MissingRequiredParameter"
	ObjectSerializationConflict           Code = "ObjectSerializationConflict"
	InvalidCompressionFormat              Code = "InvalidCompressionFormat"
	InvalidFileHeaderInfo                 Code = "InvalidFileHeaderInfo"
	InvalidJSONType                       Code = "InvalidJsonType"
	InvalidQuoteFields                    Code = "InvalidQuoteFields"
	InvalidRequestParameter               Code = "InvalidRequestParameter"
	InvalidExpressionType                 Code = "InvalidExpressionType"
	InvalidScanRange                      Code = "InvalidScanRange"
	InvalidTextEncoding                   Code = "InvalidTextEncoding"
	UnsupportedScanRangeInput             Code = "UnsupportedScanRangeInput"
	CSVParsingError                       Code = "CSVParsingError"
	JSONParsingError                      Code = "JSONParsingError"
	ParquetParsingError                   Code = "ParquetParsingError"
	OverMaxRecordSize                     Code = "OverMaxRecordSize"
	OverMaxColumn                         Code = "OverMaxColumn"
	TruncatedInput                        Code = "TruncatedInput"
)

func init() {
	bad := http.StatusBadRequest
	for code, msg := range map[Code]string{
		ParseUnexpectedToken:                  "The SQL expression contains an unexpected token.",
		ParseUnexpectedKeyword:                "The SQL expression contains an unexpected keyword.",
		ParseUnexpectedOperator:               "The SQL expression contains an unexpected operator.",
		ParseExpectedExpression:               "Did not find the expected SQL expression.",
		ParseExpectedKeyword:                  "Did not find the expected keyword in the SQL expression.",
		ParseExpectedTokenType:                "Did not find the expected token in the SQL expression.",
		ParseExpectedNumber:                   "Did not find the expected number in the SQL expression.",
		ParseExpectedTypeName:                 "Did not find the expected type name in the SQL expression.",
		ParseExpectedWhenClause:               "Did not find the expected WHEN clause in the SQL expression.",
		ParseExpectedDatePart:                 "Did not find the expected date part in the SQL expression.",
		ParseExpectedArgumentDelimiter:        "Did not find the expected argument delimiter in the SQL expression.",
		ParseExpectedLeftParenBuiltinFunction: "Did not find the expected left parenthesis in the SQL expression.",
		ParseExpectedRightParenBuiltin:        "Did not find the expected right parenthesis character in the SQL expression.",
		ParseExpectedIdentForAlias:            "Did not find the expected identifier for the alias in the SQL expression.",
		ParseSelectMissingFrom:                "The SQL expression is missing FROM after the SELECT list.",
		ParseEmptySelect:                      "The SQL expression contains an empty SELECT.",
		ParseUnsupportedCallWithStar:          "Only COUNT with (*) as a parameter is supported in the SQL expression.",
		ParseAsteriskIsNotAloneInSelectList:   "Other expressions are not allowed in the SELECT list when '*' is used without dot notation in the SQL expression.",
		ParseUnsupportedSyntax:                "The SQL expression contains unsupported syntax.",
		LexerInvalidChar:                      "The SQL expression contains an invalid character.",
		LexerInvalidLiteral:                   "The SQL expression contains an invalid literal.",
		UnsupportedSQLOperation:               "Encountered an unsupported SQL operation.",
		UnsupportedSQLStructure:               "Encountered an unsupported SQL structure. Check the SQL Reference.",
		UnsupportedFunction:                   "Encountered an unsupported SQL function.",
		InvalidTableAlias:                     "The SQL expression contains an invalid table alias.",
		InvalidDataType:                       "The SQL expression contains an invalid data type.",
		InvalidDataSource:                     "Invalid data source type. Only CSV, JSON, and Parquet are supported at this time.",
		IncorrectSQLFunctionArgumentType:      "Incorrect type of arguments in function call in the SQL expression.",
		EvaluatorInvalidArguments:             "Incorrect number of arguments in the function call in the SQL expression.",
		CastFailed:                            "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
		InvalidCast:                           "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
		ValueParseFailure:                     "Time stamp parse failure in the SQL expression.",
		IntegerOverflow:                       "Int overflow or underflow in the SQL expression.",
		LikeInvalidInputs:                     "Invalid argument given to the LIKE clause in the SQL expression.",
		DivisionByZero:                        "Division by zero in the SQL expression.",
		ExpressionTooLong:                     "The SQL expression is too long: The maximum byte-length for the SQL expression is 256 KB.",
		MissingRequiredParameter:              "The SelectRequest entity is missing a required parameter. Check the service documentation and try again.",
		ObjectSerializationConflict:           "The SelectRequest entity can only contain one of CSV, JSON or Parquet. Check the service documentation and try again.",
		InvalidCompressionFormat:              "The file is not in a supported compression format. Only GZIP and BZIP2 are supported.",
		InvalidFileHeaderInfo:                 "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.",
		InvalidJSONType:                       "The JsonType is invalid. Only DOCUMENT and LINES are supported at this time.",
		InvalidQuoteFields:                    "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.",
		InvalidRequestParameter:               "The value of a parameter in SelectRequest element is invalid. Check the service API documentation and try again.",
		InvalidExpressionType:                 "The ExpressionType is invalid. Only SQL expressions are supported at this time.",
		InvalidScanRange:                      "The provided scan range is invalid.",
		InvalidTextEncoding:                   "Invalid encoding type. Only UTF-8 encoding is supported at this time.",
		UnsupportedScanRangeInput:             "Scan range queries are not supported on this type of object.",
		CSVParsingError:                       "Encountered an error parsing the CSV file. Check the file and try again.",
		JSONParsingError:                      "Encountered an error parsing the JSON file. Check the file and try again.",
		ParquetParsingError:                   "Encountered an error parsing the Parquet file. Check the file and try again.",
		OverMaxRecordSize:                     "The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.",
		OverMaxColumn:                         "The number of columns in the result is greater than the maximum allowable number of columns.",
		TruncatedInput:                        "Object decompression failed. Check that the object is properly compressed using the format specified in the request.",
	} {
		table[code] = entry{bad, msg}
	}
}
