// Validates many EPUB files in one JVM: EPUBCheck's start-up (about 3 s) is paid once per test run,
// not once per book. Run as a single-file source program:
//   java -cp epubcheck.jar EpubCheckBatch.java a.epub b.epub ...
// For each file it prints "=== BEGIN <file>", EPUBCheck's own messages, and "=== END <code>",
// where code is 0 only when the file has no error and no warning (--failonwarnings).
public class EpubCheckBatch {
    public static void main(String[] args) {
        // EPUBCheck reports problems on stderr; one ordered stream keeps each book's messages together.
        System.setErr(System.out);
        int worst = 0;
        for (String file : args) {
            System.out.println("=== BEGIN " + file);
            System.out.flush();
            int code = new com.adobe.epubcheck.tool.EpubChecker().run(new String[] {file, "--failonwarnings"});
            System.out.flush();
            System.err.flush();
            System.out.println("=== END " + code);
            worst = Math.max(worst, code);
        }
        System.exit(worst);
    }
}
