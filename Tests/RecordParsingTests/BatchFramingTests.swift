import Foundation
import Testing

@testable import CarbonModel
@testable import RecordParsing

struct BatchFramingTests {
    // MARK: Helpers

    private func frame(_ text: String, _ format: BatchFormat) throws -> [RawRecord] {
        try BatchFraming.records(in: Data(text.utf8), format: format)
    }

    private func text(_ record: RawRecord) -> String {
        String(decoding: record.json, as: UTF8.self)
    }

    private func object(_ record: RawRecord) throws -> [String: Any] {
        let decoded = try JSONSerialization.jsonObject(with: record.json)
        return try #require(decoded as? [String: Any], "not an object: \(text(record))")
    }

    // MARK: JSON arrays

    @Test func jsonArraySplitsElementsIgnoringBracketsInStrings() throws {
        let elements = [
            #"{"id":"a}","tags":{"x":"]"}}"#,
            #"{"id":"b,c","v":[1,{"z":[2,3]}],"w":"[{"}"#,
            #"{"id":"q\"},\\","n":null}"#,
        ]
        let body = "\n[ \(elements[0]) ,\n\t\(elements[1]),\(elements[2])\r\n]\n"
        let records = try frame(body, .json)
        #expect(records.map(\.position) == [0, 1, 2])
        #expect(records.map(text) == elements)
        #expect(records.allSatisfy { $0.framingError == nil })
        for record in records { _ = try object(record) }
        #expect(try object(records[2])["id"] as? String == #"q"},\"#)
    }

    @Test func nonObjectElementsAreKeptWithAnError() throws {
        let records = try frame(#"[{"a":1}, 42, "s{", [1], {"b":2}, null]"#, .json)
        #expect(records.map(\.position) == [0, 1, 2, 3, 4, 5])
        #expect(records[0].framingError == nil)
        #expect(records[1].framingError == "index 1: not a JSON object")
        #expect(text(records[1]) == "42")
        #expect(records[2].framingError == "index 2: not a JSON object")
        #expect(text(records[2]) == #""s{""#)
        #expect(records[3].framingError == "index 3: not a JSON object")
        #expect(records[4].framingError == nil)
        #expect(records[5].framingError == "index 5: not a JSON object")
    }

    @Test func missingElementsAndJunkAfterAnObjectAreRecordErrors() throws {
        let trailingComma = try frame(#"[{"a":1},]"#, .json)
        #expect(trailingComma.count == 2)
        #expect(trailingComma[1].framingError == "index 1: missing value")

        let junk = try frame(#"[{"a":1} {"b":2}, {"c":3}]"#, .json)
        #expect(junk.count == 2)
        #expect(junk[0].framingError == "index 0: unexpected data after the JSON object")
        #expect(junk[1].framingError == nil)
    }

    @Test func singleObjectAndEmptyArray() throws {
        let single = try frame(#"  {"id":"x","tags":{"a":"}"}}  "#, .json)
        #expect(single == [RawRecord(position: 0, json: Data(#"{"id":"x","tags":{"a":"}"}}"#.utf8))])
        #expect(try frame("[ \n ]", .json).isEmpty)
    }

    @Test func jsonBodyWithByteOrderMarkAndDataSlice() throws {
        // A Data slice does not start at index 0; framing must not assume it does.
        let full = Data("xxxx\u{FEFF}[{\"a\":1}]".utf8)
        let records = try BatchFraming.records(in: full[4...], format: .json)
        #expect(records.map(text) == [#"{"a":1}"#])
    }

    @Test(arguments: [
        #"[{"a":1},{"b":2}"#,  // unterminated array
        #"[{"a":1},"#,  // unterminated after comma
        #"[{"a":"x}]"#,  // unterminated string swallows the rest
        #"[{"a":1]]"#,  // mismatched bracket
        #"{"a":1"#,  // unterminated single object
        #"[{"a":1}] x"#,  // trailing data after the array
        "{\"a\":1}\n{\"b\":2}",  // NDJSON sent as JSON
        "42",  // not an array or object
        #""text""#,
        "",
        "  \n ",
    ])
    func malformedJSONBodiesThrow(body: String) {
        #expect(throws: BatchFramingError.self) { try frame(body, .json) }
    }

    @Test func jsonErrorNamesTheLine() {
        do {
            _ = try BatchFraming.records(in: Data("[\n{\"a\":1},\n{\"b\":2]\n]".utf8), format: .json)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("line 3"))
            #expect(error.description.contains("mismatched"))
        }
    }

    // MARK: NDJSON

    @Test func ndjsonLinesBlankLinesCRLFAndBrokenLines() throws {
        let body = "{\"a\":1}\r\n\r\n   \n{\"b\":\"x\\ny\"}\n not json\n  {\"c\":3}  \r\n[1]\n{\"d\":4"
        let records = try frame(body, .ndjson)
        #expect(records.map(\.position) == [1, 4, 5, 6, 7, 8])
        #expect(text(records[0]) == #"{"a":1}"#)
        #expect(text(records[1]) == #"{"b":"x\ny"}"#)
        #expect(records[2].framingError == "line 5: not a JSON object")
        #expect(text(records[2]) == "not json")
        #expect(text(records[3]) == #"{"c":3}"#)
        #expect(records[3].framingError == nil)
        #expect(records[4].framingError == "line 7: not a JSON object")
        #expect(records[5].framingError == "line 8: not a JSON object")
    }

    @Test func ndjsonWithByteOrderMarkAndEmptyBody() throws {
        let records = try frame("\u{FEFF}{\"a\":1}\n", .ndjson)
        #expect(records == [RawRecord(position: 1, json: Data(#"{"a":1}"#.utf8))])
        #expect(try frame("", .ndjson).isEmpty)
        #expect(try frame("\n\r\n", .ndjson).isEmpty)
    }

    // MARK: CSV

    @Test func csvRowsBecomeJSONObjects() throws {
        // Rows end in CRLF; the embedded line break inside the quoted unit is a bare LF.
        let lines = [
            "source,id,kind,start,end,value,unit,site,tags.project,tags.team",
            #"meter,1,facility.electricity,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,1250.5,kWh,bj-1,"alpha, beta","#,
            #"meter,"2 ""quoted""",facility.fuel,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,"12","kWh"#
                + "\n" + #"second line",北京-1,,"#,
            "meter,3,facility.electricity,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,n/a,kWh,bj-1,p,ops",
            "meter,4,facility.electricity,2024-01-01T00:00:00Z",
            "meter,5,usage,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,,kWh,bj-1,,",
        ]
        let body = lines.joined(separator: "\r\n") + "\r\n"
        let records = try frame(body, .csv)
        #expect(records.map(\.position) == [2, 3, 5, 6, 7])

        let first = try object(records[0])
        #expect(first["source"] as? String == "meter")
        #expect(first["id"] as? String == "1")
        #expect(first["kind"] as? String == "facility.electricity")
        #expect(first["start"] as? String == "2024-01-01T00:00:00Z")
        #expect(first["value"] as? Double == 1250.5)
        #expect(!(first["value"] is String))
        #expect(first["site"] as? String == "bj-1")
        #expect(first["tags"] as? [String: String] == ["project": "alpha, beta"])
        #expect(first["tags.project"] == nil)

        let second = try object(records[1])
        #expect(second["id"] as? String == #"2 "quoted""#)
        #expect(second["value"] as? Double == 12)
        #expect(second["unit"] as? String == "kWh\nsecond line")
        #expect(second["site"] as? String == "北京-1")
        #expect(second["tags"] == nil)  // both tag cells empty: no tags object at all

        let third = try object(records[2])
        #expect(third["value"] as? String == "n/a")  // left for the preprocessor to reject
        #expect(third["tags"] as? [String: String] == ["project": "p", "team": "ops"])

        #expect(records[3].framingError == "line 6: expected 10 fields, found 4")
        #expect(text(records[3]) == "meter,4,facility.electricity,2024-01-01T00:00:00Z")

        let fifth = try object(records[4])
        #expect(fifth["value"] == nil)  // empty cells are omitted
        #expect(fifth.keys.sorted() == ["end", "id", "kind", "site", "source", "start", "unit"])
    }

    @Test func csvEscapesSpecialCharacters() throws {
        let body = "id,note\n1,\"back\\slash \"\"q\"\" tab\tbell\u{07}\"\n2,plain \"inner\" quote\n"
        let records = try frame(body, .csv)
        #expect(records.count == 2)
        #expect(try object(records[0])["note"] as? String == "back\\slash \"q\" tab\tbell\u{07}")
        // A quote inside an unquoted cell is taken literally.
        #expect(try object(records[1])["note"] as? String == "plain \"inner\" quote")
    }

    @Test func csvNumericColumns() throws {
        let cells = ["1e3", "-0.5", "0", " 12 ", "+5", ".5", "007", "abc", "inf", "nan", "0x10", "1e999", "1.2.3", "-"]
        let body = "id,value,utilization,lifetime_months\n"
            + cells.enumerated().map { "\($0.offset),\"\($0.element)\",\($0.element),\($0.element)" }
            .joined(separator: "\n")
        let records = try frame(body, .csv)
        #expect(records.count == cells.count)
        var numbers: [String: Double] = [:]
        for (record, cell) in zip(records, cells) {
            let fields = try object(record)
            for column in ["value", "utilization", "lifetime_months"] {
                if let string = fields[column] as? String {
                    #expect(string == cell, "\(column) of \(cell)")
                } else {
                    numbers[cell] = try #require(fields[column] as? Double)
                }
            }
        }
        #expect(numbers == ["1e3": 1000, "-0.5": -0.5, "0": 0, " 12 ": 12, "+5": 5, ".5": 0.5, "007": 7])
        // Valid JSON numbers are copied verbatim, not round-tripped through Double.
        #expect(text(records[0]).contains(#""value":1e3"#))
    }

    @Test func csvPositionsWithLoneCRAndBlankRows() throws {
        let body = "a,b\r1,2\r\r,\n  \n3,\"x\ry\"\n4,5,\n"
        let records = try frame(body, .csv)
        #expect(records.map(\.position) == [2, 6, 8])
        #expect(try object(records[0]) as NSDictionary == ["a": "1", "b": "2"] as NSDictionary)
        #expect(try object(records[1])["b"] as? String == "x\ry")
        #expect(records[2].framingError == "line 8: expected 2 fields, found 3")
    }

    @Test func csvRowErrors() throws {
        var invalid = Data("id,note\n1,ok\n2,".utf8)
        invalid.append(contentsOf: [0xC3, 0x28])  // truncated two-byte sequence
        invalid.append(contentsOf: Array("\n3,\"fine\"x\n4,\"open".utf8))
        let records = try BatchFraming.records(in: invalid, format: .csv)
        #expect(records.map(\.position) == [2, 3, 4, 5])
        #expect(records[0].framingError == nil)
        #expect(records[1].framingError == "line 3: not valid UTF-8")
        #expect(records[2].framingError == "line 4: unexpected text after closing quote in field 2")
        #expect(records[3].framingError == "line 5: unterminated quoted field")
        #expect(text(records[3]) == "4,\"open")
    }

    @Test func csvHeaderOnlyAndHeaderTrimming() throws {
        #expect(try frame("source,id\r\n", .csv).isEmpty)
        let records = try frame("\u{FEFF}\n source ,\"id\"\n s,1\n", .csv)
        #expect(records.count == 1)
        #expect(records[0].position == 3)
        #expect(try object(records[0]) as NSDictionary == ["source": " s", "id": "1"] as NSDictionary)
    }

    @Test(arguments: [
        "",
        "\n\r\n",
        "a,a\n1,2\n",  // duplicate column
        "a,,b\n1,2,3\n",  // unnamed column
        "a,tags.\n1,2\n",  // tag without a name
        "tags,tags.x\n1,2\n",  // two sources for the tags object
        "a,\"b\n1,2\n",  // unterminated header
    ])
    func badCSVHeadersThrow(body: String) {
        #expect(throws: BatchFramingError.self) { try frame(body, .csv) }
    }

    @Test func csvHeaderWithInvalidUTF8Throws() {
        var body = Data("id,".utf8)
        body.append(contentsOf: [0xFF, 0xFE])
        body.append(contentsOf: Array("\n1,2\n".utf8))
        #expect(throws: BatchFramingError.self) { try BatchFraming.records(in: body, format: .csv) }
    }

    // MARK: Format detection

    @Test(arguments: [
        ("application/json", BatchFormat.json),
        ("application/json; charset=utf-8", .json),
        ("Application/JSON", .json),
        ("application/x-ndjson", .ndjson),
        ("application/ndjson;charset=UTF-8", .ndjson),
        (" application/jsonl ", .ndjson),
        ("text/csv; header=present", .csv),
    ])
    func contentTypeMapping(contentType: String, format: BatchFormat) {
        #expect(BatchFormat.from(contentType: contentType) == format)
    }

    @Test func unknownContentTypes() {
        #expect(BatchFormat.from(contentType: nil) == nil)
        #expect(BatchFormat.from(contentType: "") == nil)
        #expect(BatchFormat.from(contentType: "text/plain") == nil)
        #expect(BatchFormat.from(contentType: "application/xml; charset=utf-8") == nil)
    }

    @Test func sniffing() {
        #expect(BatchFormat.sniff(Array(" \n[{}]".utf8)) == .json)
        #expect(BatchFormat.sniff(Data("\u{FEFF}{\"a\":1}\n".utf8)) == .ndjson)
        #expect(BatchFormat.sniff(Array("\r\n\t{}".utf8)) == .ndjson)
        #expect(BatchFormat.sniff(Array("source,id\n".utf8)) == .csv)
        #expect(BatchFormat.sniff([UInt8]()) == .csv)
    }

    @Test func rawRecordRoundTripsThroughCodable() throws {
        let record = RawRecord(position: 7, json: Data("{}".utf8), framingError: "line 7: not a JSON object")
        let decoded = try JSONDecoder().decode(RawRecord.self, from: JSONEncoder().encode(record))
        #expect(decoded == record)
    }
}
