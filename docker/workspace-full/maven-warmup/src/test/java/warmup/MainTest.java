package warmup;
import static org.junit.Assert.assertEquals;
import org.junit.Test;
public class MainTest { @Test public void hello() { assertEquals("hello", Main.hello()); } }
