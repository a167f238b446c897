import Foundation

/// A model folder (`config.json` + safetensors files), found from a graph param. Shared by every
/// node family that loads world-tiny models, and by plugins.
public struct ModelFolder: @unchecked Sendable {
    public let path: String
    public let config: [String: Any]

    /// Relative paths resolve against the graph file's folder, like every path in a graph.
    public static func locate(_ param: String, baseDirectory: String) throws -> ModelFolder {
        let candidates = [resolve(param, baseDirectory)]
        for dir in candidates where FileManager.default.fileExists(atPath: dir + "/config.json") {
            return try ModelFolder(path: dir)
        }
        throw NodeError("no world-tiny model at '\(param)' (looked for config.json in \(candidates.joined(separator: ", "))); train and export it with Training/export.py, or make random weights with `python3 Training/make_longlive_fixtures.py --full DIR`")
    }

    /// For a node's `check`: the same lookup as `locate`, so a missing model is reported against the graph file.
    public static func check(_ params: Params, param: String = "model") -> [ParamProblem] {
        let value = params.string(param)
        let dir = resolve(value, params.baseDirectory)
        if FileManager.default.fileExists(atPath: dir + "/config.json") { return [] }
        return [ParamProblem(param: param, "no world-tiny model at '\(value)' (no \(dir)/config.json); train and export it with Training/export.py")]
    }

    /// Shape symbols read from the model's config.json at compile time, reported against the param that names
    /// the folder. Empty when the folder cannot be read: `check` reports that.
    public static func shapeBindings(_ params: Params, param: String = "model",
                                     _ read: (ModelFolder) throws -> [String: Int]) -> ShapeBindings {
        let dir = resolve(params.string(param), params.baseDirectory)
        guard let folder = try? ModelFolder(path: dir), let values = try? read(folder) else { return [:] }
        return ShapeBindings(values, from: param)
    }

    static func resolve(_ path: String, _ base: String) -> String {
        let joined = path.hasPrefix("/") || base.isEmpty ? path : base + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    public init(path: String) throws {
        self.path = path
        let data = try Data(contentsOf: URL(fileURLWithPath: path + "/config.json"))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NodeError("\(path)/config.json is not a JSON object")
        }
        config = json
    }

    /// The config entry of one model, refusing one marked missing.
    public func section(_ name: String) throws -> [String: Any] {
        guard let s = config[name] as? [String: Any] else { throw NodeError("\(path)/config.json has no '\(name)' entry") }
        if s["missing"] as? Bool == true { throw NodeError("\(path): the \(name) model is marked missing (not trained/exported yet)") }
        return s
    }

    public func weights(_ section: [String: Any], name: String) throws -> WeightFile {
        let file = section["file"] as? String ?? "\(name).safetensors"
        return try WeightFile(path: path + "/" + file)
    }
}

/// Config values with the error a user can act on.
extension Dictionary where Key == String, Value == Any {
    public func int(_ key: String) throws -> Int {
        if let v = self[key] as? Int { return v }
        if let v = self[key] as? Double, v == v.rounded() { return Int(v) }
        throw NodeError("config.json: '\(key)' is missing or not an integer")
    }
    public func double(_ key: String) throws -> Double {
        if let v = self[key] as? Double { return v }
        if let v = self[key] as? Int { return Double(v) }
        throw NodeError("config.json: '\(key)' is missing or not a number")
    }
    public func floats(_ key: String) throws -> [Float] {
        guard let v = self[key] as? [Any] else { throw NodeError("config.json: '\(key)' is missing or not a list") }
        return try v.map { item in
            if let d = item as? Double { return Float(d) }
            if let i = item as? Int { return Float(i) }
            throw NodeError("config.json: '\(key)' holds a non-number")
        }
    }
    public func ints(_ key: String) throws -> [Int] {
        guard let v = self[key] as? [Any] else { throw NodeError("config.json: '\(key)' is missing or not a list") }
        return try v.map { item in
            if let i = item as? Int { return i }
            throw NodeError("config.json: '\(key)' holds a non-integer")
        }
    }
}

/// Weights of one safetensors file, widened to f32, with shapes checked against what the model expects.
public struct WeightFile: Sendable {
    public let file: SafetensorsFile

    public init(path: String) throws {
        do { file = try SafetensorsFile(path: path) } catch { throw NodeError("cannot open weights: \(error)") }
    }

    public func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
        let t: Tensor
        do { t = try file.floatTensor(name) } catch { throw NodeError("\(error)") }
        guard t.shape == shape else {
            throw NodeError("\(file.path): tensor '\(name)' has shape \(t.shape), expected \(shape)")
        }
        return t.contiguous()
    }
}
