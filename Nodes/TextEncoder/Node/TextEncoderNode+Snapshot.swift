import FlowKit

/// Each prompt's embedding depends on the prompt alone, so a snapshot needs nothing from the encoder.
extension TextEncoderNode: StatelessNode {}
