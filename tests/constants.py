"""Codes and the password the tests share."""

YUCI = "140702"  # 榆次区
TAIGU = "140703"  # 太谷区
PASSWORD = "a-long-test-password-2025"
