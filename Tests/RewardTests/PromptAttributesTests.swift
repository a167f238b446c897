import Foundation
import XCTest
import FlowKit
import FlowTestSupport
@testable import RewardNodes

/// Prompt text -> expected attributes, against world.py's own vocabularies and prompts (the verifier fixture).
final class PromptAttributesTests: XCTestCase {
    /// Every phrase of VOCAB "train" and "extra" reads as its attribute, so a word added to world.py and not to
    /// TrainingVocabulary fails here.
    func testEveryTrainingPhraseReadsAsItsAttribute() throws {
        let fixture = try VerifierFixture.load()
        var phrases = 0
        for (split, attributes) in fixture.vocabulary {
            for (attribute, values) in attributes {
                for (value, words) in values {
                    for phrase in words {
                        let scene = try PromptAttributes.read(phrase)
                        let what = "\(split) \(attribute) '\(phrase)'"
                        switch attribute {
                        case "background":
                            XCTAssertEqual(scene, ExpectedScene(background: SyntheticWorld.background(named: value), objects: []), what)
                        case "colour":
                            XCTAssertEqual(scene.objects, [ExpectedObject(colour: SyntheticWorld.objectColour(named: value))], what)
                        case "shape":
                            XCTAssertEqual(scene.objects, [ExpectedObject(shape: WorldShape(rawValue: value))], what)
                        case "size":
                            XCTAssertEqual(scene.objects, [ExpectedObject(size: WorldSize(rawValue: value))], what)
                        case "motion":
                            XCTAssertEqual(scene.objects, [ExpectedObject(motion: WorldMotion(rawValue: value))], what)
                        default:
                            XCTFail("unknown attribute \(attribute)")
                        }
                        phrases += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(phrases, 80)     // 91 when written
    }

    /// The prompts world.phrase writes for the fixture's clips (one and two objects, every template kind) read
    /// to the clip's truth, in both training vocabularies.
    func testWorldPromptsReadToTheirTruth() throws {
        let fixture = try VerifierFixture.load()
        for clip in fixture.clips where clip.isTrue {
            for split in ["train", "extra"] {
                let prompt = try XCTUnwrap(clip.prompts[split])
                XCTAssertEqual(try PromptAttributes.read(prompt), clip.truth, "\(split): \(prompt)")
            }
        }
    }

    func testTwoObjectTemplatesOfBothVocabulariesSplitIntoTwoObjects() throws {
        let red = SyntheticWorld.objectColour(named: "red"), blue = SyntheticWorld.objectColour(named: "blue")
        let expected = ExpectedScene(background: SyntheticWorld.background(named: "gray"), objects: [
            ExpectedObject(colour: red, shape: .circle, size: .small, motion: .upRight),
            ExpectedObject(colour: blue, shape: .square, size: .large, motion: .bounce),
        ])
        for prompt in [
            "a small red ball moves up and to the right and a big blue square bounces on a gray background",
            "on a gray background, a small red circle moves up and to the right while a large blue square bounces up and down",
            "a petite ruby orb goes diagonally up and right and a massive sapphire tile keeps jumping in front of an ash gray canvas",
            "with an ash gray canvas behind them, a miniature cherry red sphere goes diagonally up and right next to a enormous royal blue cube which jumps up and down",
        ] {
            XCTAssertEqual(try PromptAttributes.read(prompt), expected, prompt)
        }
    }

    /// Words the verifier does not know are skipped: their attribute is not checked. A colour that names a
    /// background in unknown words is not taken for an object.
    func testUnknownWordsLeaveTheirAttributeUnchecked() throws {
        let green = SyntheticWorld.objectColour(named: "green")
        XCTAssertEqual(try PromptAttributes.read("the circle turns green and bounces"),
                       ExpectedScene(background: nil, objects: [ExpectedObject(colour: green, shape: .circle, motion: .bounce)]))
        XCTAssertEqual(try PromptAttributes.read("a red circle drifts right over a dark blue background"),
                       ExpectedScene(background: SyntheticWorld.background(named: "dark blue"),
                                     objects: [ExpectedObject(colour: SyntheticWorld.objectColour(named: "red"), shape: .circle, motion: .right)]))
        // Held-out synonyms: only the training words are read.
        XCTAssertEqual(try PromptAttributes.read("a tiny crimson square heads east across a forest green backdrop"),
                       ExpectedScene(background: nil, objects: [ExpectedObject(shape: .square)]))
    }

    func testAPromptWithNothingToCheckIsAnErrorNamingIt() throws {
        let fixture = try VerifierFixture.load()
        let heldout = try XCTUnwrap(fixture.clips[0].prompts["heldout"])
        for prompt in [heldout, "", "a cat sleeps on the sofa"] {
            XCTAssertThrowsError(try PromptAttributes.read(prompt), prompt) { error in
                XCTAssertTrue("\(error)".contains("prompt '\(prompt)' names nothing the verifier can check"), "\(error)")
            }
        }
    }
}
