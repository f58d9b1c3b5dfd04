#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A moment as a wall clock shows it at a fixed UTC offset: for session names and incident notes.
///
/// FoundationEssentials has no calendar formatting, so the civil date is computed here
/// (days-from-civil inverse, proleptic Gregorian); the offset comes from the C library.
public struct LocalTime: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Seconds east of UTC.
    public var utcOffsetSeconds: Int

    /// - Parameters:
    ///   - date: The moment.
    ///   - utcOffsetSeconds: The offset to show it at; by default the local zone's at that moment.
    public init(_ date: Date, utcOffsetSeconds: Int? = nil) {
        let offset = utcOffsetSeconds ?? Self.localUTCOffset(at: date)
        self.utcOffsetSeconds = offset
        let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + offset
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The local zone's offset from UTC at `date`, in seconds east.
    public static func localUTCOffset(at date: Date) -> Int {
        var time = time_t(Int((date.timeIntervalSince1970).rounded(.down)))
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    /// `2026-11-24-2301`: the default session name.
    public var sessionName: String {
        "\(pad(year, 4))-\(pad(month))-\(pad(day))-\(pad(hour))\(pad(minute))"
    }

    /// `2026-11-24 23:01:05 +01:00`: for listings and notes.
    public var displayString: String {
        let sign = utcOffsetSeconds < 0 ? "-" : "+"
        let offset = abs(utcOffsetSeconds)
        return "\(pad(year, 4))-\(pad(month))-\(pad(day)) \(pad(hour)):\(pad(minute)):\(pad(second)) "
            + "\(sign)\(pad(offset / 3600)):\(pad(offset % 3600 / 60))"
    }

    private func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
