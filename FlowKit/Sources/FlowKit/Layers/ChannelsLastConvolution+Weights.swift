extension ChannelsLastConvolution {
    /// The 3x3 (or 3x3x3 with `time`) convolution `name` of a weight file, zero-padded by 1 in height and width.
    public convenience init(_ w: WeightFile, _ name: String, out: Int, in inputs: Int, time: Int? = nil,
                            precision: Precision = .f32) throws {
        let shape = time.map { [out, inputs, $0, 3, 3] } ?? [out, inputs, 3, 3]
        self.init(weight: try w.tensor(name + ".weight", shape), bias: try w.tensor(name + ".bias", [out]),
                  padding: (1, 1), precision: precision)
    }
}
