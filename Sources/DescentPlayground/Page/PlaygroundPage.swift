/// The playground's one page: markup, style and script in one file, nothing loaded from
/// elsewhere, so it works offline. The parts are kept in separate files by concept
/// (`+Style`, `+Markup`, `+Charts`, `+Landscape`, `+Network`, `+App`) and joined here.
enum PlaygroundPage {
    /// The whole page.
    static var html: String {
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Descent playground</title>"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\(style)</style></head><body>"
            + markup + "<script>\n\"use strict\";\n" + chartsScript + landscapeScript + networkScript + appScript + "</script></body></html>\n"
    }
}
