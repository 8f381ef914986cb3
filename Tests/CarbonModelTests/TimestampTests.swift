import Testing

@testable import CarbonModel

/// Hand-written RFC 3339 parsing and formatting.
struct TimestampTests {
    private static func utc(_ y: Int, _ m: Int, _ d: Int, _ hh: Int = 0, _ mm: Int = 0, _ ss: Int = 0) -> Int64 {
        CalendarMonth.daysFromCivil(y, m, d) * 86_400 + Int64(hh * 3600 + mm * 60 + ss)
    }

    @Test func parsesUTC() {
        #expect(Timestamp.parse("2024-01-31T23:30:00Z") == Self.utc(2024, 1, 31, 23, 30))
        #expect(Timestamp.parse("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parse("2024-01-01T00:00:00Z") == 1_704_067_200)
        #expect(Timestamp.parse("2024-02-29T12:00:01Z") == Self.utc(2024, 2, 29, 12, 0, 1))
    }

    @Test func appliesOffsets() {
        let instant = Self.utc(2024, 1, 31, 23, 30)
        #expect(Timestamp.parse("2024-02-01T07:30:00+08:00") == instant)
        #expect(Timestamp.parse("2024-01-31T18:30:00-05:00") == instant)
        #expect(Timestamp.parse("2024-02-01T05:00:00+05:30") == instant)
        #expect(Timestamp.parse("2024-01-31T23:30:00+00:00") == instant)
        #expect(Timestamp.parse("2024-01-31T23:30:00-00:00") == instant)
    }

    @Test func truncatesFractionalSeconds() {
        let instant = Self.utc(2024, 3, 10, 8, 15, 42)
        #expect(Timestamp.parse("2024-03-10T08:15:42.999999Z") == instant)
        #expect(Timestamp.parse("2024-03-10T08:15:42.5Z") == instant)
        #expect(Timestamp.parse("2024-03-10T16:15:42.123+08:00") == instant)
    }

    @Test func acceptsBareDatesAndRFC3339Variants() {
        #expect(Timestamp.parse("2024-01-01") == 1_704_067_200)
        #expect(Timestamp.parse("2024-01-01t00:00:00z") == 1_704_067_200)
        #expect(Timestamp.parse("2024-01-01 00:00:00Z") == 1_704_067_200)
    }

    @Test(arguments: [
        "", "2024", "2024-1-01", "2024-01-1", "2024-13-01", "2024-00-10", "2024-02-30", "2023-02-29",
        "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z", "2024-01-01T00:00:00",  // no zone: ambiguous
        "2024-01-01T00:00:00+0800", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00Z", "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00 Z", "2024-01-01x", "yesterday", "２０２４-01-01",
    ])
    func rejectsMalformedTimes(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatsUTC() {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59Z")
        #expect(Timestamp.format(Self.utc(2024, 1, 31, 23, 30)) == "2024-01-31T23:30:00Z")
        #expect(Timestamp.format(Self.utc(2100, 12, 31, 23, 59, 59)) == "2100-12-31T23:59:59Z")
    }

    @Test func roundTrips() {
        for text in ["2024-01-31T23:30:00Z", "2000-01-01T00:00:00Z", "2024-02-29T00:00:01Z", "2099-07-04T13:05:09Z"] {
            #expect(Timestamp.parse(text).map(Timestamp.format) == text)
        }
        #expect(Timestamp.parse("2024-02-01T07:30:00.75+08:00").map(Timestamp.format) == "2024-01-31T23:30:00Z")
        // Every 7,919 seconds over three years, both ways.
        var epoch = Self.utc(2023, 1, 1)
        while epoch < Self.utc(2026, 1, 1) {
            #expect(Timestamp.parse(Timestamp.format(epoch)) == epoch)
            epoch += 7_919
        }
    }
}
