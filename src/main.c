#include <locale.h>
#include <stdio.h>

#include "util/util.h"

int main(void)
{
	setlocale(LC_ALL, "");
	puts("ctui");
	return 0;
}
