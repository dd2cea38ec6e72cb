/// A plain text table: a header row, columns padded to their widest cell
/// and separated by two spaces, the last column left ragged.
struct Table {
    var headers: [String]
    var rows: [[String]] = []
    /// Columns whose cells are right-aligned (counts).
    var rightAligned: Set<Int> = []

    init(_ headers: String..., rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    /// Adds a row; cells are escaped here, so callers pass raw text.
    mutating func append(_ cells: String...) {
        rows.append(cells.map { TerminalText.escape($0).replacingTabs() })
    }

    func render() -> String {
        let all = [headers] + rows
        let columns = headers.count
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.prefix(columns).enumerated() {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            var line = ""
            for index in 0..<columns {
                let cell = index < row.count ? row[index] : ""
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { line += "  " }
                if rightAligned.contains(index) {
                    line += padding + cell
                } else if index == columns - 1 {
                    line += cell
                } else {
                    line += cell + padding
                }
            }
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }.joined(separator: "\n")
    }
}

extension String {
    /// Tabs would break column alignment.
    fileprivate func replacingTabs() -> String {
        String(map { $0 == "\t" ? " " : $0 })
    }
}
