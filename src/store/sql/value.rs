//! The value model and parameters. Values are SQLite's five storage classes (rusqlite's
//! types, reused so the SQLite path converts nothing); parameters lend a [`ValueRef`].

pub use rusqlite::types::{Value, ValueRef};

/// Something bound as a statement parameter, lent without copying.
pub trait Param {
    fn value(&self) -> ValueRef<'_>;
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> ValueRef<'_> {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> ValueRef<'_> {
        match self {
            Some(v) => v.value(),
            None => ValueRef::Null,
        }
    }
}

impl<T: Param + ?Sized> Param for Box<T> {
    fn value(&self) -> ValueRef<'_> {
        (**self).value()
    }
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> ValueRef<'_> {
                ValueRef::Integer(i64::from(*self))
            }
        }
    )*};
}
int_param!(i8, i16, i32, i64, u8, u16, u32, bool);

// Counts and sizes: never near i64::MAX in a ledger; saturate rather than fail.
macro_rules! wide_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> ValueRef<'_> {
                ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
wide_param!(u64, usize, isize);

impl Param for f64 {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}

impl Param for str {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Text(self.as_bytes())
    }
}

impl Param for String {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Text(self.as_bytes())
    }
}

impl Param for [u8] {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl Param for Vec<u8> {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl Param for Value {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::from(self)
    }
}

impl Param for ValueRef<'_> {
    fn value(&self) -> ValueRef<'_> {
        *self
    }
}

/// The parameters of one statement, in order.
pub trait Params {
    fn values(&self) -> impl Iterator<Item = ValueRef<'_>>;
}

impl Params for &[&dyn Param] {
    fn values(&self) -> impl Iterator<Item = ValueRef<'_>> {
        self.iter().map(|p| p.value())
    }
}

/// Values gathered at run time (a multi-row insert).
impl Params for &[ValueRef<'_>] {
    fn values(&self) -> impl Iterator<Item = ValueRef<'_>> {
        self.iter().copied()
    }
}

/// `[]`: no parameters.
impl Params for [&dyn Param; 0] {
    fn values(&self) -> impl Iterator<Item = ValueRef<'_>> {
        std::iter::empty()
    }
}

macro_rules! array_params {
    ($($n:literal),*) => {$(
        impl<T: Param> Params for [T; $n] {
            fn values(&self) -> impl Iterator<Item = ValueRef<'_>> {
                self.iter().map(|p| p.value())
            }
        }
        impl<T: Param + ?Sized> Params for &[&T; $n] {
            fn values(&self) -> impl Iterator<Item = ValueRef<'_>> {
                self.iter().map(|p| p.value())
            }
        }
    )*};
}
array_params!(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);

/// Parameters built at run time (a filter's clauses).
pub struct ParamsFromIter(Vec<Value>);

/// Collect run-time parameters, e.g. `params_from_iter(args.iter())`.
pub fn params_from_iter<I>(iter: I) -> ParamsFromIter
where
    I: IntoIterator,
    I::Item: Param,
{
    ParamsFromIter(iter.into_iter().map(|p| Value::from(p.value())).collect())
}

impl Params for ParamsFromIter {
    fn values(&self) -> impl Iterator<Item = ValueRef<'_>> {
        self.0.iter().map(ValueRef::from)
    }
}
