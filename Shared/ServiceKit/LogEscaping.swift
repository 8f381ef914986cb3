/// Makes text safe to put in one log line: values logged from requests (a record's region, a
/// user name, an error quoting a body) must not start lines of their own, or a caller could
/// forge log entries. Control characters become visible escapes; everything else is kept.
public enum LogEscaping {
    /// `\n`, `\r`, `\t` as those two-character escapes; every other C0 control, DEL, the C1
    /// controls (NEL among them) and the Unicode line and paragraph separators as `\u{XX}`.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where needsEscape(scalar): escaped += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
