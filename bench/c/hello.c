/* The startup benchmark's program: print one line and exit. */
#include <unistd.h>

int main(void) {
    static const char msg[] = "hello\n";
    write(1, msg, sizeof msg - 1);
    return 0;
}
