package warmup; public class Main { public static String hello() { return "hello"; } }
