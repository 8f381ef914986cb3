import Testing

@testable import CarbonModel

/// The one way figures are written for people (dashboard, HTML report, carbonctl tables),
/// against hand-written answers.
@Suite struct FigureFormatTests {
    @Test(arguments: [
        (722_741.804, "722.7 t"),
        (1_200_598.8, "1,201 t"),
        (12_345_678.9, "12,346 t"),
        (8_035.1, "8.035 t"),
        (1_000, "1.000 t"),
        (999.4, "999.4 kg"),
        (56.25, "56.25 kg"),
        (1, "1.000 kg"),
        (0, "0 kg"),
        (0.0623592, "62.36 g"),
        (6.23592e-05, "0.0624 g"),
        (-375, "-375.0 kg"),
        (-2_500, "-2.500 t"),
    ])
    func emissionsTakeTheUnitThatKeepsThemReadable(kg: Double, written: String) {
        #expect(FigureFormat.emissions(kg: kg) == written)
    }

    @Test func quantitiesAreGroupedAndNeverScientific() {
        #expect(FigureFormat.number(1_200_598.8) == "1,200,599")
        #expect(FigureFormat.number(123.456) == "123.5")
        #expect(FigureFormat.number(1.23456e-7) == "0.000000123")
        #expect(FigureFormat.number(-0.0001) == "-0.000100")
        #expect(FigureFormat.number(.nan) == "—")
        #expect(FigureFormat.change(kg: 1_250) == "+1.250 t")
        #expect(FigureFormat.change(kg: -375) == "-375.0 kg")
        #expect(!FigureFormat.number(1e300).contains("e"))
    }
}
