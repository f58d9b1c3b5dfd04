#if canImport(Glibc)
import Glibc
#endif

/// Tab completion of file paths for `/file`: the entries of the directory the word names that
/// start with the rest of it, directories with a trailing `/`; `~/` is kept as typed.
enum PathCompleter {
    /// Candidates for `word` (as libedit hands it over: the text since the last space).
    static func candidates(for word: String, home: String?, currentDirectory: String) -> [String] {
        let slash = word.lastIndex(of: "/")
        let typedDirectory = slash.map { String(word[...$0]) } ?? ""
        let prefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        var directory = typedDirectory.isEmpty ? currentDirectory : typedDirectory
        if typedDirectory.hasPrefix("~/"), let home { directory = home + typedDirectory.dropFirst() }
        if !directory.hasPrefix("/") { directory = currentDirectory + "/" + directory }
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var results: [String] = []
        while let entry = readdir(handle), results.count < 500 {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != "..", name.hasPrefix(prefix) else { continue }
            // Hidden files only when asked for with a leading dot.
            if name.hasPrefix("."), !prefix.hasPrefix(".") { continue }
            var info = stat()
            let isDirectory = stat(directory + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            results.append(typedDirectory + name + (isDirectory ? "/" : ""))
        }
        return results.sorted()
    }
}
