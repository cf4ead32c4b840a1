//! Go's `text/tabwriter` as docker configures it: `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`.

const MIN_WIDTH: usize = 10;
const PADDING: usize = 3;

struct Writer<'a> {
    lines: Vec<Vec<&'a str>>,
    widths: Vec<usize>,
    out: String,
}

fn width(cell: &str) -> usize {
    cell.chars().count()
}

impl Writer<'_> {
    /// Number of tab-terminated cells of a line (the text after the last tab is not a cell of any column).
    fn cells(&self, line: usize) -> usize {
        self.lines[line].len() - 1
    }

    fn write_lines(&mut self, from: usize, to: usize) {
        for i in from..to {
            let line = &self.lines[i];
            for (j, cell) in line.iter().enumerate() {
                self.out.push_str(cell);
                if j < self.widths.len() {
                    let pad = self.widths[j].saturating_sub(width(cell));
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            if i + 1 < self.lines.len() {
                self.out.push('\n');
            }
        }
    }

    /// Port of `(*tabwriter.Writer).format`: one column block at a time, recursing into the columns to its right.
    fn format(&mut self, mut line0: usize, line1: usize) {
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column >= self.cells(this) {
                this += 1;
                continue;
            }
            self.write_lines(line0, this);
            line0 = this;
            let mut w = MIN_WIDTH;
            while this < line1 && column < self.cells(this) {
                w = w.max(width(self.lines[this][column]) + PADDING);
                this += 1;
            }
            self.widths.push(w);
            self.format(line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(line0, line1);
    }
}

/// Aligns tab-terminated cells into columns exactly like docker's table output.
pub fn tabwrite(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let n = lines.len();
    let mut w = Writer {
        lines,
        widths: Vec::new(),
        out: String::with_capacity(text.len() * 2),
    };
    w.format(0, n);
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_images() {
        let text = "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\nbusybox\tlatest\t3f57d9401f8d\t2 weeks ago\t4.26MB\n";
        assert_eq!(
            tabwrite(text),
            "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n\
             busybox      latest    3f57d9401f8d   2 weeks ago   4.26MB\n"
        );
    }

    #[test]
    fn docker_ps() {
        let text = "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n\
                    4c01db0b339c\tubuntu:12.04\t\"bash\"\t17 seconds ago\tUp 16 seconds\t3300-3310/tcp\twebapp\n";
        assert_eq!(
            tabwrite(text),
            "CONTAINER ID   IMAGE          COMMAND   CREATED          STATUS          PORTS           NAMES\n\
             4c01db0b339c   ubuntu:12.04   \"bash\"    17 seconds ago   Up 16 seconds   3300-3310/tcp   webapp\n"
        );
    }

    #[test]
    fn empty_cells_and_last_cell_unpadded() {
        let text = "NAME\tPORTS\tX\na\t\tlast\n";
        assert_eq!(
            tabwrite(text),
            "NAME      PORTS     X\na                   last\n"
        );
        assert_eq!(tabwrite(""), "");
        assert_eq!(tabwrite("no tabs\n"), "no tabs\n");
        assert_eq!(tabwrite("a\tb"), "a         b");
    }

    #[test]
    fn column_blocks() {
        // The line without a tab ends the block: widths are computed separately above and below it.
        let text = "aaaaaaaaaaaaaaaa\tb\nbreak\nc\td\n";
        assert_eq!(tabwrite(text), "aaaaaaaaaaaaaaaa   b\nbreak\nc         d\n");
        // A second column only exists on some lines: its block is just those lines.
        let text = "a\tb\tc\nd\te\nf\tgggggggggggggg\th\n";
        assert_eq!(
            tabwrite(text),
            "a         b         c\nd         e\nf         gggggggggggggg   h\n"
        );
    }

    #[test]
    fn counts_chars_not_bytes() {
        let text = "NAME\tX\nnaïve-ünïcödé\ty\n";
        assert_eq!(tabwrite(text), "NAME            X\nnaïve-ünïcödé   y\n");
    }
}
