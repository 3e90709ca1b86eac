//! Physical condition grades recorded at check-in or at any time.

use super::text_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    New,
    Good,
    Fair,
    Poor,
    Broken,
}

text_enum!(Condition, "condition", {
    New => "new",
    Good => "good",
    Fair => "fair",
    Poor => "poor",
    Broken => "broken",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_grade_case_insensitively() {
        for c in Condition::ALL {
            assert_eq!(c.as_str().to_uppercase().parse::<Condition>(), Ok(*c));
        }
        let err = "mint".parse::<Condition>().unwrap_err();
        assert!(err.to_string().contains("new, good, fair, poor, broken"));
    }
}
