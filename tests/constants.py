"""Codes and the password the tests share."""

YUCI = "140702"  # 榆次区
TAIGU = "140703"  # 太谷区
JINZHONG = "1407"  # 晋中市
YANGQUAN = "1403"  # 阳泉市 (a second city some tests add)
YANGQUAN_CHENGQU = "140302"  # its 城区
YANGQUAN_VILLAGE = "140302001201"  # 义井村委会
PASSWORD = "a-long-test-password-2025"
