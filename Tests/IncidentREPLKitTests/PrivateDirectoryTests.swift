#if canImport(Glibc)
import Glibc
#endif
@testable import IncidentREPLKit
import Testing

/// The folders journals, notes and the clipboard fallback go into: the analyst's own, 0700.
@Suite("Private directories")
struct PrivateDirectoryTests {
    @Test func anExistingFolderOfOursIsTightenedTo0700() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.path + "/state"
        #expect(mkdir(folder, 0o755) == 0)
        try PrivateFile.makePrivateDirectory(folder)
        var info = stat()
        #expect(stat(folder, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        // Created with its missing parents, 0700 too.
        try PrivateFile.makePrivateDirectory(temporary.path + "/a/b")
        #expect(stat(temporary.path + "/a/b", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    /// A folder another user owns is refused with a message that says whose it is and what to do;
    /// so is a file where the folder should be.
    @Test func aFolderOfAnotherUserOrAFileIsRefused() throws {
        let temporary = TemporaryDirectory()
        let foreign: String
        if getuid() == 0 {
            // As root (CI): a folder handed to "nobody".
            foreign = temporary.path + "/theirs"
            #expect(mkdir(foreign, 0o755) == 0)
            #expect(chown(foreign, 65_534, 65_534) == 0)
        } else {
            // As anyone else: a folder root owns.
            foreign = "/usr"
        }
        #expect {
            try PrivateFile.makePrivateDirectory(foreign)
        } throws: { error in
            "\(error)".contains("belongs to another user") && "\(error)".contains("XDG_STATE_HOME")
        }
        var info = stat()
        #expect(stat(foreign, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o755, "a refused folder is left as it was")

        let file = temporary.path + "/file"
        let fd = open(file, O_WRONLY | O_CREAT, 0o600)
        close(fd)
        #expect {
            try PrivateFile.makePrivateDirectory(file)
        } throws: { error in
            "\(error)".contains("not a folder")
        }
    }
}
