//! Tests of the configuration's names, levels and checks.

use super::*;

#[test]
fn region_units_and_levels() {
    assert_eq!(region_parts("重庆市渝北区"), ["重庆市", "渝北区"]);
    assert_eq!(
        region_parts("山东省济南市市中区"),
        ["山东省", "济南市", "市中区"]
    );
    assert_eq!(
        region_parts("广西壮族自治区南宁市"),
        ["广西壮族自治区", "南宁市"]
    );
    assert_eq!(local_name("重庆市城口县"), "城口县");
    assert_eq!(Level::of_region("重庆市渝北区"), Some(Level::District));
    assert_eq!(Level::of_region("重庆市城口县"), Some(Level::County));
    assert_eq!(Level::of_region("四川省成都市"), Some(Level::City));
    assert_eq!(Level::of_region("广西壮族自治区"), Some(Level::Province));
    assert_eq!(Level::of_region("某地"), None);
    assert!(is_placeholder("请填写联系人姓名"));
    assert!(!is_placeholder("饶东"));
}
