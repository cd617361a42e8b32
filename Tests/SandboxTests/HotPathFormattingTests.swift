import Foundation
import Testing
@testable import Sandbox

/// The byte-level replacements of Foundation formatting on the invoke path give what the Foundation versions gave.
struct HotPathFormattingTests {
    @Test func twoDecimalsMatchesPrintf() {
        for v in [0, 0.004, 0.5, 1, 1.234, 9.999, 10.05, 123.456, 2999.999, 12345.678] {
            #expect(ExecutionEnvironment.twoDecimals(v) == String(format: "%.2f", v), "\(v)")
        }
    }

    @Test func runtimeOutputSplitsIntoOneEventPerLine() {
        #expect(ExecutionEnvironment.lines(Array("".utf8)) == [])
        #expect(ExecutionEnvironment.lines(Array("a\nb".utf8)) == ["a", "b"])
        #expect(ExecutionEnvironment.lines(Array("a\n\nb\n".utf8)) == ["a", "", "b"])
        #expect(ExecutionEnvironment.lines(Array("\n".utf8)) == [""])
        // awslambdaric's multi-line messages: \r inside one event becomes a line break.
        #expect(ExecutionEnvironment.lines(Array("Traceback\r  File x\rError: é\n".utf8)) == ["Traceback\n  File x\nError: é"])
    }

    @Test func logFileNamesArePercentEncodedByteByByte() {
        #expect(FunctionLogStore.encode("/aws/lambda/my-fn_1.x") == "%2Faws%2Flambda%2Fmy-fn_1.x")
        #expect(FunctionLogStore.encode(".hidden") == "%2Ehidden")
        #expect(FunctionLogStore.encode("2024/05/01/[$LATEST]ab") == "2024%2F05%2F01%2F%5B%24LATEST%5Dab")
        #expect(FunctionLogStore.encode("é") == "%C3%A9")
        for name in ["/aws/lambda/f", "2024/05/01/[$LATEST]abc", ".x", "é ü"] {
            #expect(FunctionLogStore.decode(FunctionLogStore.encode(name)) == name)
        }
    }

    @Test func logMessagesEscapeBackslashAndNewline() {
        let message = "a\\b\nc\td"
        #expect(FunctionLogStore.escape(message) == "a\\\\b\\nc\td")
        #expect(FunctionLogStore.unescape(Substring(FunctionLogStore.escape(message))) == message)
    }

    @Test func randomHexHasTheLengthAndAlphabetAsked() {
        for length in [0, 8, 16, 24, 32, 33] {
            let s = RandomHex.make(length)
            #expect(s.count == length)
            #expect(s.allSatisfy { "0123456789abcdef".contains($0) })
        }
        #expect(RandomHex.make(32) != RandomHex.make(32))
    }
}
