//! How an asset left the organisation, and how its data was destroyed (after NIST SP 800-88).

use super::text_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisposalMethod {
    Recycle,
    Resale,
    Donate,
    Destroy,
    ReturnToLessor,
}

text_enum!(DisposalMethod, "disposal method", {
    Recycle => "recycle",
    Resale => "resale",
    Donate => "donate",
    Destroy => "destroy",
    ReturnToLessor => "return_to_lessor",
});

/// NIST SP 800-88 sanitisation levels, plus `none` for assets that never held data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WipeMethod {
    None,
    Clear,
    Purge,
    Destroy,
}

text_enum!(WipeMethod, "wipe method", {
    None => "none",
    Clear => "clear",
    Purge => "purge",
    Destroy => "destroy",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hyphens_and_spaces() {
        assert_eq!(
            "Return to lessor".parse::<DisposalMethod>(),
            Ok(DisposalMethod::ReturnToLessor)
        );
        assert_eq!(
            "return-to-lessor".parse::<DisposalMethod>(),
            Ok(DisposalMethod::ReturnToLessor)
        );
        assert!("burn".parse::<WipeMethod>().is_err());
    }
}
